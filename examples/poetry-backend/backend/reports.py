"""Daily reports: pandas over numpy, archived with PyTables, scheduled with APScheduler."""
import apscheduler
import numpy
import pandas
import tables


def daily():
    return {
        "rows": 3,
        "pandas": pandas.hello(),
        "numpy": numpy.hello(),
        "tables": tables.hello(),
        "scheduler": apscheduler.release,
    }
