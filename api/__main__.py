"""`python -m api`: serve matchday on MATCHDAY_HOST:MATCHDAY_PORT (127.0.0.1:8000 by default)."""

from __future__ import annotations

import uvicorn

from api.settings import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run("api.app:app", host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
