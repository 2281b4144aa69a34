"""`flask seed-demo`: registered as a Flask command plugin (pyproject's `flask.commands`),
so the product package never imports the demo."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from demo import seed


@click.command("seed-demo")
@click.option(
    "--dataset",
    "datasets",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A sandbox dataset file whose local users (people in Flexsync before the first sync) to create.",
)
@with_appcontext
def seed_demo(datasets: tuple[str, ...]) -> None:
    """Create the demo tenants, logins, a month of hours and the datasets' local users (safe to run again)."""
    if not current_app.config["DEMO"]:
        raise click.ClickException("The demo seed only runs with FLEXSYNC_ENV=demo.")
    seed.seed()
    seed.seed_hours()
    local_users = seed.seed_local_users(list(datasets))
    click.echo(f"Demo data ready ({local_users} new local users from the datasets)." if datasets else "Demo data ready.")
