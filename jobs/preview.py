"""Thin RQ entry point for previews of the next sync; the work is in `portal.runs.preview_store`."""

from __future__ import annotations

from jobs.app import flask_app


def run_preview(integration_id: int, token: str) -> None:
    from portal.runs import preview_store

    app = flask_app()
    with app.app_context():
        preview_store.execute(integration_id, token, app.config)
