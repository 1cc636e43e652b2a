"""HTTP API, served by uvicorn: `uvicorn backend.api:app`."""
import sys

import fastapi
import pydantic

from backend import db, reports


class API:
    """The routes of the service (the stand-in fastapi has no router)."""

    def __init__(self, title):
        self.title = title
        self.routes = {}

    def get(self, path):
        def register(fn):
            self.routes[path] = fn
            return fn

        return register


app = API(title="orders")


@app.get("/health")
def health():
    return {"status": "ok", "fastapi": fastapi.hello(), "pydantic": pydantic.hello()}


@app.get("/reports/daily")
def daily_report():
    return reports.daily()


def selftest():
    """Exercise every route and the database connection, as a readiness probe would."""
    for path, route in sorted(app.routes.items()):
        print(f"GET {path} -> {route()}")
    db.connect()
    print("prisma engine:", db.engine_info()["engine"])


if __name__ == "__main__":
    selftest() if "--selftest" in sys.argv else print(health())
