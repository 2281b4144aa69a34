"""The Flask app inside worker processes, built once per process on first use."""
from __future__ import annotations

from functools import cache

from flask import Flask


@cache
def flask_app() -> Flask:
    from portal import create_app

    return create_app()
