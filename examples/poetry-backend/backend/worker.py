"""Background jobs, run by Celery: `celery -A backend.worker worker`."""
import celery
import kombu
import redis

from backend import db, reports


class Worker:
    """The Celery application (the stand-in celery has no Celery class)."""

    def __init__(self, main, broker):
        self.main = main
        self.broker = broker
        self.tasks = {}

    def task(self, fn):
        self.tasks[fn.__name__] = fn
        return fn


app = Worker("backend", broker="redis://redis:6379/0")


@app.task
def build_daily_report():
    return reports.daily()


def selftest():
    print("celery", celery.hello(), "kombu", kombu.hello(), "redis", redis.hello())
    db.connect()
    for name, task in sorted(app.tasks.items()):
        print(f"task {name} -> {task()}")
