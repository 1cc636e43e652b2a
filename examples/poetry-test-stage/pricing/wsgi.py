"""WSGI entry point for gunicorn: `gunicorn pricing.wsgi:app`."""
import flask
import requests
import sqlalchemy

from pricing.quotes import quote


def app(environ, start_response):
    body = repr(quote(9.5, 3)).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def selftest() -> None:
    out: list = []
    body = b"".join(app({"PATH_INFO": "/"}, lambda status, headers: out.append(status)))
    assert out == ["200 OK"], out
    print("GET / ->", body.decode())
    print("flask", flask.hello(), "requests", requests.hello(), "sqlalchemy", sqlalchemy.hello())
