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
    from items_table import read_page

    @app.get("/api/items")
    def list_items() -> list[dict[str, object]]:
        """A page of items, read by SQLAlchemy as the generated service does."""
        return read_page(request.args.get("limit", 20, int), request.args.get("offset", 0, int))


# Served as the generated service is: by uvicorn's workers, four threads each through a2wsgi.
asgi = WSGIMiddleware(app, workers=4)
