"""Orders backend: an HTTP API (FastAPI on uvicorn) and a Celery worker."""

__version__ = "1.4.0"
