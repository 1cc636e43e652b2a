from backend.api import app, health


def test_health():
    assert health()["status"] == "ok"


def test_routes():
    assert set(app.routes) == {"/health", "/reports/daily"}
