from dashboard.data import summary


def test_summary():
    assert summary()["regions"] == 4
