"""A bare one-file Django app, the baseline of the generated Django service: no middleware.

/api/items reads the database DATABASE_URL names (SQLite); without it there is no database.
"""

import importlib
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-" * 10,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": urlsplit(os.environ["DATABASE_URL"]).path[1:],
        }
    }
    if "DATABASE_URL" in os.environ
    else {},
)


def healthz(request: HttpRequest) -> JsonResponse:
    """What the generated service answers, without its request ids, log line and checks."""
    return JsonResponse({"status": "ok", "release": None})


def list_items(request: HttpRequest) -> JsonResponse:
    """A page of items, read by Django's database layer."""
    limit, offset = int(request.GET.get("limit", 20)), int(request.GET.get("offset", 0))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, processed FROM items ORDER BY id LIMIT %s OFFSET %s", [limit, offset]
        )
        rows = [{"id": id_, "name": name, "processed": bool(done)} for id_, name, done in cursor]
    return JsonResponse(rows, safe=False)


urlpatterns = [path("healthz", healthz), path("api/items", list_items)]
application = get_wsgi_application()
# Served as the generated service is: by its gunicorn worker class, through its wsgi_bridge's
# threads (the benchmark names the generated package and how many threads it runs).
bridge = importlib.import_module(f"{os.environ['SERVICE_PACKAGE']}.wsgi_bridge")
asgi = bridge.ThreadedApplication(application, int(os.environ["WEB_THREADS"]))
