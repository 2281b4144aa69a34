"""The e-mails that carry set-password links: an invitation to a company, a password reset."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from portal import mail
from portal.accounts.links import VALID_FOR
from portal.models import LinkPurpose, Tenant, User


def language_of(user: User, tenant: Tenant | None) -> str:
    if user.language and user.language in current_app.config["LANGUAGES"]:
        return user.language
    return tenant.default_language if tenant else current_app.config["BABEL_DEFAULT_LOCALE"]


def send_invitation(user: User, tenant: Tenant, inviter: User, url: str) -> None:
    """In the company's language: the invited admin has never chosen one. Raises `mail.MailUnavailable`."""
    context = {
        "user": user,
        "tenant": tenant,
        "inviter": inviter.name or inviter.email,
        "url": url,
        "hours": int(VALID_FOR[LinkPurpose.INVITATION].total_seconds() // 3600),
    }
    with force_locale(tenant.default_language):
        subject = gettext(
            "%(inviter)s invites you to manage %(company)s on Flexsync", inviter=context["inviter"], company=tenant.name
        )
        text_body = render_template("mail/admin_invitation.txt", **context)
        html_body = render_template("mail/admin_invitation.html", **context)
    mail.send_mail(user.email, subject, text_body, html_body, language=tenant.default_language)


def send_reset(user: User, tenant: Tenant | None, url: str) -> None:
    """Raises `mail.MailUnavailable`."""
    language = language_of(user, tenant)
    with force_locale(language):
        subject = gettext("Choose a new Flexsync password")
        text_body = render_template("mail/password_reset.txt", user=user, url=url)
        html_body = render_template("mail/password_reset.html", user=user, url=url)
    mail.send_mail(user.email, subject, text_body, html_body, language=language)
