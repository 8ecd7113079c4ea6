"""A bare Flask app, the baseline of the generated Flask service: its routes, nothing else.

/api/items exists when DATABASE_URL is set; without it, nothing but Flask is imported.
"""

import os

from a2wsgi import WSGIMiddleware
from flask import Flask, request

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict[str, str | None]:
    """What the generated service answers, without its request ids, log line and checks."""
    return {"status": "ok", "release": None}


if "DATABASE_URL" in os.environ:
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["DATABASE_URL"])
    LIST_ITEMS = text(
        "SELECT id, name, processed FROM items ORDER BY id LIMIT :limit OFFSET :offset"
    )

    @app.get("/api/items")
    def list_items() -> list[dict[str, object]]:
        """A page of items, read by SQLAlchemy as the generated service does."""
        page = {
            "limit": request.args.get("limit", 20, int),
            "offset": request.args.get("offset", 0, int),
        }
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(LIST_ITEMS, page)]


# Served as the generated service is: by uvicorn's workers, four threads each through a2wsgi.
asgi = WSGIMiddleware(app, workers=4)
