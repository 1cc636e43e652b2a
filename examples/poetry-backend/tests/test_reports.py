from backend import reports


def test_daily_report_has_rows():
    report = reports.daily()
    assert report["rows"] == 3
    assert report["pandas"].startswith("pandas ")
