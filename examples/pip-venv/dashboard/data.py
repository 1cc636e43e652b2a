"""Data for the dashboard: fetched with requests, aggregated with pandas."""
import apscheduler
import pandas
import requests


def summary():
    return {"regions": 4, "pandas": pandas.hello(), "requests": requests.hello(), "scheduler": apscheduler.release}
