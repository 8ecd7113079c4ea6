"""A bare FastAPI app, the baseline of the generated FastAPI service: its routes, nothing else.

/api/items exists when DATABASE_URL is set; without it, nothing but FastAPI is imported.
"""

import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict[str, str | None]:
    """What the generated service answers, without its request ids, log line and checks."""
    return {"status": "ok", "release": None}


if "DATABASE_URL" in os.environ:
    from items_table import read_page

    @app.get("/api/items")
    def list_items(limit: int = 20, offset: int = 0) -> list[dict[str, object]]:
        """A page of items, read by SQLAlchemy as the generated service does."""
        return read_page(limit, offset)
