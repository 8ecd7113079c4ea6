"""A bare Flask app, the baseline of the generated Flask service: its routes, nothing else.

/api/items exists when DATABASE_URL is set; without it, nothing but Flask is imported.
"""

import importlib
import os

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


# Served as the generated service is: by its gunicorn worker class, through its wsgi_bridge's
# threads (the benchmark names the generated package and how many threads it runs).
bridge = importlib.import_module(f"{os.environ['SERVICE_PACKAGE']}.wsgi_bridge")
asgi = bridge.ThreadedApplication(app, int(os.environ["WEB_THREADS"]))
