"""Sending e-mail over SMTP, to the server named in the config."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

SMTP_TIMEOUT_SECONDS = 10


class MailUnavailable(Exception):
    """The mail server could not take the message; the caller keeps what it wanted to send."""


def send_mail(to: str, subject: str, text_body: str, html_body: str | None = None, *, language: str) -> None:
    """`language` is the one the texts were written in: mail clients read Content-Language
    (RFC 3282) to choose a spell checker or offer a translation."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text_body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    # After the bodies: setting a body clears every Content-* header.
    message["Content-Language"] = language
    host, port = current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"]
    try:
        with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS) as server:
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailUnavailable(f"SMTP server {host}:{port} did not accept the message: {error}") from error
