"""A bare Flask app, the baseline of the generated Flask service: the two routes, nothing else."""

import os

from flask import Flask, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ.get("DATABASE_URL", "sqlite://"))
LIST_ITEMS = text("SELECT id, name, processed FROM items ORDER BY id LIMIT :limit OFFSET :offset")


@app.get("/healthz")
def healthz() -> dict[str, str | None]:
    """What the generated service answers, without its request ids, log line and checks."""
    return {"status": "ok", "release": None}


@app.get("/api/items")
def list_items() -> list[dict[str, object]]:
    """A page of items, read by SQLAlchemy as the generated service does."""
    page = {"limit": request.args.get("limit", 20, int), "offset": request.args.get("offset", 0, int)}
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(LIST_ITEMS, page)]
