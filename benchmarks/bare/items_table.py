"""The items query both SQLAlchemy-based bare apps make, as the generated services read a page."""

import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
LIST_ITEMS = text("SELECT id, name, processed FROM items ORDER BY id LIMIT :limit OFFSET :offset")


def read_page(limit: int, offset: int) -> list[dict[str, object]]:
    """A page of items, read by SQLAlchemy Core."""
    with engine.connect() as connection:
        rows = connection.execute(LIST_ITEMS, {"limit": limit, "offset": offset})
        return [dict(row._mapping) for row in rows]
