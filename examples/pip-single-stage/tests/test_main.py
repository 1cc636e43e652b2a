from service.main import measurements


def test_measurements():
    assert measurements()["count"] == 12
