"""HTTP API, served by uvicorn: `uvicorn service.main:app`."""
import fastapi
import requests
import sqlalchemy
import tables


def measurements():
    return {"count": 12, "storage": tables.hello(), "db": sqlalchemy.hello()}


app = {"/measurements": measurements}


def selftest():
    for path, route in app.items():
        print(f"GET {path} -> {route()}")
    tables.print_versions()
    print("fastapi", fastapi.hello(), "requests", requests.hello())
