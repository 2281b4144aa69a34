"""`flask` commands: the demo seed (and, later, operator tools)."""
from __future__ import annotations

import click
from flask import Flask

from portal import demo


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Create the demo tenants, logins and a month of hours (safe to run again)."""
        if not app.config["DEMO"]:
            raise click.ClickException("The demo seed only runs with FLEXSYNC_ENV=demo.")
        demo.seed()
        demo.seed_hours()
        click.echo("Demo data ready.")
