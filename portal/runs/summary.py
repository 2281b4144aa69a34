"""What the admins are told after a sync run: an in-app notification, and an e-mail
summary when something changed (who was added, who was deactivated, what to look at)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Text, cast, func, or_, select

from portal.extensions import db
from portal.mail import MailUnavailable, send_mail
from portal.models import Discrepancy, Notification, Role, SyncRun, SyncRunEmployee, User
from portal.runs import problems
from portal.sync.outcomes import REASON_TEXT, Reason
from portal.sync.plan import Action
from portal.texts.labels import field_label, label
from portal.texts.providers import PROVIDERS
from portal.texts.shortening import shortened

log = logging.getLogger(__name__)

# Enough names to recognise people; the run page lists everyone.
NAMES_SHOWN = 25


@dataclass(frozen=True)
class Failure:
    name: str
    reason: Reason | None
    # The provider's value behind it, when one value is the problem.
    problem_field: str | None = None
    problem_value: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """One thing the admin is told; a list (one person a line) under it when there is one."""

    text: str
    items: tuple[str, ...] = ()

    def as_text(self) -> str:
        return "\n".join([self.text, *(f"- {item}" for item in self.items)])


@dataclass
class RunSummary:
    run: SyncRun
    # The first new employees' names, as many as the e-mail shows, and how many there are.
    created: list[str] = field(default_factory=list)
    created_count: int = 0
    deactivated: list[str] = field(default_factory=list)
    # People inactive here whom the provider lists under contract again (PRODUCT.md: removed
    # at the provider and back, or ended only locally): access comes back, which is news.
    reactivated: list[str] = field(default_factory=list)
    # Failures first seen in this run: the ones still open from earlier runs are no news.
    failed: list[Failure] = field(default_factory=list)
    still_failing: int = 0
    # People an earlier run failed and this one synced.
    resolved: list[str] = field(default_factory=list)
    discrepancies: int = 0

    @property
    def anything_to_tell(self) -> bool:
        return self.news_of_people or bool(self.run.error_code)

    @property
    def news_of_people(self) -> bool:
        return bool(
            self.created
            or self.deactivated
            or self.reactivated
            or self.failed
            or self.resolved
            or self.discrepancies
            or self.run.new_to_review
        )


def summarise(run: SyncRun) -> RunSummary:
    summary = RunSummary(run)
    # A first sync creates thousands: the names shown and the count, not every line.
    created = db.session.execute(
        select(SyncRunEmployee.display_name, func.count().over())
        .where(SyncRunEmployee.run_id == run.id, SyncRunEmployee.action == Action.CREATE)
        .order_by(SyncRunEmployee.id)
        .limit(NAMES_SHOWN)
    ).all()
    summary.created = [name for name, _count in created]
    summary.created_count = created[0][1] if created else 0
    lines = db.session.execute(
        select(
            SyncRunEmployee.action,
            SyncRunEmployee.provider_id,
            SyncRunEmployee.display_name,
            SyncRunEmployee.reason,
            SyncRunEmployee.problem_field,
            SyncRunEmployee.problem_value,
            SyncRunEmployee.changes,
        )
        .where(
            SyncRunEmployee.run_id == run.id,
            or_(
                SyncRunEmployee.action.in_([Action.DEACTIVATE, Action.FAIL]),
                # Only the updates whose change log names "active": a run may update thousands.
                (SyncRunEmployee.action == Action.UPDATE) & cast(SyncRunEmployee.changes, Text).like('%"active"%'),
            ),
        )
        .order_by(SyncRunEmployee.id)
    ).all()
    opened = problems.opened_by(run)
    for action, provider_id, name, reason, problem_field, problem_value, changes in lines:
        if action == Action.DEACTIVATE:
            summary.deactivated.append(name)
        elif action == Action.UPDATE:
            if _reactivates(changes):
                summary.reactivated.append(name)
        elif (problems.person_key(provider_id, name), reason) in opened:
            summary.failed.append(Failure(name, reason, problem_field, problem_value))
        else:
            # Counted from the run's own lines, not from the problems as they stand: a
            # notification shown again after later runs still says what this run found.
            summary.still_failing += 1
    summary.resolved = problems.resolved_by(run)
    summary.discrepancies = len(db.session.execute(select(Discrepancy.id).where(Discrepancy.first_seen_run_id == run.id)).all())
    return summary


def _reactivates(changes: list[dict[str, str | None]] | None) -> bool:
    return any(change["field"] == "active" and change["new"] == str(True) for change in changes or ())


def _names(names: list[str], count: int | None = None) -> str:
    """The first names, and how many more of the `count` (all `names` by default) there are."""
    # Cut short: one name of 10,000 characters must not be the whole e-mail.
    shown = ", ".join(shortened(name) for name in names[:NAMES_SHOWN])
    more = (len(names) if count is None else count) - NAMES_SHOWN
    return shown + (" " + _("and %(count)s more", count=more) if more > 0 else "")


def title(run: SyncRun) -> str:
    return _(
        "%(provider)s sync: %(status)s — %(created)s new, %(deactivated)s deactivated, %(failed)s failed",
        provider=PROVIDERS[run.integration.provider].name,
        status=label(run.status),
        created=run.created,
        deactivated=run.deactivated,
        failed=run.failed,
    )


def body(summary: RunSummary) -> str:
    return "\n\n".join(paragraph.as_text() for paragraph in paragraphs(summary))


def paragraphs(summary: RunSummary) -> list[Paragraph]:
    """What the run did, in the order the admin acts on it. Every count of the run that is
    not zero is told: "up to date" only when the run changed nobody and skipped nobody."""
    from portal.texts.run_errors import run_error_text

    run = summary.run
    parts = []
    if run.error_code:
        parts.append(Paragraph(run_error_text(run.error_code)))
    if summary.created:
        parts.append(Paragraph(_("New employees: %(names)s.", names=_names(summary.created, summary.created_count))))
    if summary.reactivated:
        parts.append(Paragraph(_("Active again, their access restored: %(names)s.", names=_names(summary.reactivated))))
    if summary.deactivated:
        parts.append(Paragraph(_("Deactivated employees: %(names)s.", names=_names(summary.deactivated))))
    # The people who came back are updates too: the count says how many others changed.
    others_updated = run.updated - len(summary.reactivated)
    if others_updated > 0:
        parts.append(
            Paragraph(
                ngettext(
                    "%(num)s employee was updated with the provider's changes.",
                    "%(num)s employees were updated with the provider's changes.",
                    others_updated,
                )
            )
        )
    if summary.discrepancies:
        parts.append(
            Paragraph(
                ngettext(
                    "%(num)s change at the provider was not applied and waits for your decision.",
                    "%(num)s changes at the provider were not applied and wait for your decision.",
                    summary.discrepancies,
                )
            )
        )
    if summary.failed:
        # One person a line: each reason is a sentence of its own, with its own full stop.
        failures = [_failure_line(failure) for failure in summary.failed[:NAMES_SHOWN] if failure.reason]
        more = len(summary.failed) - NAMES_SHOWN
        if more > 0:
            failures.append(_("and %(count)s more", count=more))
        parts.append(Paragraph(_("New problems, not synced:"), tuple(failures)))
    if summary.resolved:
        parts.append(Paragraph(_("Problems solved, synced again: %(names)s.", names=_names(summary.resolved))))
    if summary.still_failing:
        parts.append(
            Paragraph(
                ngettext(
                    "%(num)s problem from an earlier sync is still open.",
                    "%(num)s problems from earlier syncs are still open.",
                    summary.still_failing,
                )
            )
        )
    if run.skipped:
        parts.append(
            Paragraph(
                ngettext(
                    "%(num)s employee at the provider was skipped; the sync's page says why.",
                    "%(num)s employees at the provider were skipped; the sync's page says why.",
                    run.skipped,
                )
            )
        )
    if run.new_to_review:
        parts.append(
            Paragraph(
                ngettext(
                    "%(num)s new employee waits for your review in the selection window.",
                    "%(num)s new employees wait for your review in the selection window.",
                    run.new_to_review,
                )
            )
        )
    if not parts:
        parts.append(Paragraph(_("Every employee was already up to date.")))
    return parts


def _failure_line(failure: Failure) -> str:
    line = f"{shortened(failure.name)}: {_(REASON_TEXT[failure.reason])}"
    if failure.problem_field:
        value = f"“{shortened(failure.problem_value)}”" if failure.problem_value else "—"
        line += f" ({field_label(failure.problem_field)}: {value})"
    return line


def path_for(endpoint: str, **values: object) -> str:
    """A page's path without a request: workers build links too."""
    return current_app.url_map.bind("").build(endpoint, values)


def notify_admins(run: SyncRun, language: str, only_news_of_people: bool = False) -> RunSummary:
    """One notification per run, in the company's default language, and an e-mail to each
    HR admin in their own language when there is something to tell.

    `only_news_of_people`: a sync of the changes, every few minutes, tells nothing unless
    someone was added, failed anew, came right or waits for a decision; a notification of
    each one would bury the others, and a provider outage is the nightly sync's to report.
    """
    summary = summarise(run)
    if only_news_of_people and not summary.news_of_people:
        return summary
    if summary.anything_to_tell:
        email_admins(summary, language)
    with force_locale(language):
        db.session.add(
            Notification(
                tenant_id=run.tenant_id,
                sync_run_id=run.id,
                title=title(run)[:300],
                body=body(summary),
                link=path_for("syncs.run", run_id=run.id),
            )
        )
    return summary


def email_admins(summary: RunSummary, company_language: str) -> None:
    admins = db.session.execute(select(User).where(User.tenant_id == summary.run.tenant_id, User.role == Role.HR_ADMIN)).scalars()
    link = current_app.config["PUBLIC_URL"].rstrip("/") + path_for("syncs.run", run_id=summary.run.id)
    for admin in admins:
        language = admin.language or company_language
        with force_locale(language):
            context = {"paragraphs": paragraphs(summary), "link": link}
            text = render_template("mail/sync_summary.txt", **context)
            html = render_template("mail/sync_summary.html", **context)
            try:
                send_mail(admin.email, title(summary.run), text, html, language=language)
            except MailUnavailable as error:
                # The in-app notification still tells the story; the e-mail is a copy.
                log.warning("Sync summary e-mail to user %s not sent: %s", admin.id, error)
