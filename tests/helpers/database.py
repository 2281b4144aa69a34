"""Looking at the whole database at once."""

from __future__ import annotations

from flask import Flask


def database_dump(app: Flask) -> str:
    """Everything the database holds, as SQL text (SQLite's .dump; the browser tests run on SQLite)."""
    import sqlite3

    from sqlalchemy.engine import make_url

    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    with sqlite3.connect(path) as connection:
        return "\n".join(connection.iterdump())
