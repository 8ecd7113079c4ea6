"""A bare FastAPI app, the baseline of the generated FastAPI service: the two routes, nothing else."""

import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine(os.environ.get("DATABASE_URL", "sqlite://"))
LIST_ITEMS = text("SELECT id, name, processed FROM items ORDER BY id LIMIT :limit OFFSET :offset")


@app.get("/healthz")
async def healthz() -> dict[str, str | None]:
    """What the generated service answers, without its request ids, log line and checks."""
    return {"status": "ok", "release": None}


@app.get("/api/items")
def list_items(limit: int = 20, offset: int = 0) -> list[dict[str, object]]:
    """A page of items, read by SQLAlchemy as the generated service does."""
    with engine.connect() as connection:
        rows = connection.execute(LIST_ITEMS, {"limit": limit, "offset": offset})
        return [dict(row._mapping) for row in rows]
