from pricing.wsgi import app


def test_app_answers():
    statuses = []
    body = b"".join(app({"PATH_INFO": "/"}, lambda status, headers: statuses.append(status)))
    assert statuses == ["200 OK"]
    assert b"total" in body
