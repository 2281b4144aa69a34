"""`flask users …`: the operator's commands for logins, from the server's shell.

The first staff account of a new installation starts here: no password ever passes
through the command line (or the shell history), only a one-time link to choose it.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.accounts import staff
from portal.accounts.links import VALID_FOR
from portal.models import LinkPurpose, User

users_cli = AppGroup("users", help="Staff and admin logins: create a staff account, list logins, deactivate one.")


def _status(user: User) -> str:
    if user.deactivated_at is not None:
        return "deactivated"
    if user.tenant is not None and user.tenant.deactivated_at is not None:
        return "company deactivated"
    return "active" if user.has_password else "invited"


@users_cli.command("create-staff")
@click.argument("email")
@click.option("--name", default="", help="The staff member's name, as the portal shows it.")
def create_staff(email: str, name: str) -> None:
    """Create a customer success account and print its one-time set-password link."""
    try:
        issued = staff.create_staff(email, name)
    except staff.StaffProblem as problem:
        raise click.ClickException(str(problem)) from None
    hours = int(VALID_FOR[LinkPurpose.FIRST_PASSWORD].total_seconds() // 3600)
    click.echo(f"Customer success account {issued.link.user.email} is ready.")
    click.echo(f"Send them this link to choose a password (works once, for {hours} hours):")
    click.echo(issued.url)
    click.echo("They set up two-factor sign-in at their first log-in.")


@users_cli.command("list")
def list_users() -> None:
    """Every login: e-mail, role, company, status, second factor."""
    rows = [
        (
            user.email,
            user.role.value,
            user.tenant.name if user.tenant else "-",
            _status(user),
            "2FA" if user.has_two_factor else "-",
        )
        for user in staff.every_login()
    ]
    if not rows:
        click.echo("No logins yet. Start with: flask --app wsgi users create-staff EMAIL")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False)) + "  " + row[4])


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """End a login's access: no more log-ins, every session ends, open links stop working."""
    try:
        user = staff.deactivate(email)
    except staff.StaffProblem as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{user.email} is deactivated; their sessions have ended.")
