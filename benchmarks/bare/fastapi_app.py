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
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["DATABASE_URL"])
    LIST_ITEMS = text(
        "SELECT id, name, processed FROM items ORDER BY id LIMIT :limit OFFSET :offset"
    )

    @app.get("/api/items")
    def list_items(limit: int = 20, offset: int = 0) -> list[dict[str, object]]:
        """A page of items, read by SQLAlchemy as the generated service does."""
        with engine.connect() as connection:
            rows = connection.execute(LIST_ITEMS, {"limit": limit, "offset": offset})
            return [dict(row._mapping) for row in rows]
