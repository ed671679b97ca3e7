"""matchday's HTTP service: FastAPI over the `scheduler` library (see api/app.py)."""
