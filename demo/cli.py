"""`flask seed-demo`: registered as a Flask command plugin (pyproject's `flask.commands`),
so the product package never imports the demo."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from demo import seed


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo tenants, logins and a month of hours (safe to run again)."""
    if not current_app.config["DEMO"]:
        raise click.ClickException("The demo seed only runs with FLEXSYNC_ENV=demo.")
    seed.seed()
    seed.seed_hours()
    click.echo("Demo data ready.")
