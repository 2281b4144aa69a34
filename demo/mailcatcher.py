"""`python -m demo.mailcatcher`: the demo's mail server, which delivers nothing and shows everything.

`make run` points the portal at it (SMTP_HOST/SMTP_PORT), so every e-mail Flexsync sends in
the demo (invitations, sync summaries, password resets) lands on one web page instead of
in somebody's inbox: subject, recipient, time, language, the text and the HTML. Messages live
in memory and are gone when it stops. It is the demo's tool, not part of the product, so its
page is in English only and not translated. A real deployment sets SMTP_HOST to a real server.
"""

from __future__ import annotations

import argparse
import email
import threading
from dataclasses import dataclass
from datetime import datetime
from email import policy
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

# What an e-mail's HTML may do inside the page: nothing. Its iframe has `sandbox` (no
# scripts, no forms, an origin of its own) and the page allows no fetch at all, so a
# message can neither run code nor tell anyone it was opened.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'"


@dataclass(frozen=True)
class CaughtMail:
    received_at: datetime
    sender: str
    recipients: str
    subject: str
    language: str
    text: str
    html: str | None


def caught(content: bytes, received_at: datetime) -> CaughtMail:
    message = email.message_from_bytes(content, policy=policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return CaughtMail(
        received_at=received_at,
        sender=str(message["From"] or ""),
        recipients=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        language=str(message["Content-Language"] or ""),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None and html is not text else None,
    )


class Mailbox:
    """Every message received, oldest first; aiosmtpd's handler and the page's threads share it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[CaughtMail] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = caught(envelope.content, datetime.now().astimezone())
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def newest_first(self) -> list[CaughtMail]:
        with self.lock:
            return list(reversed(self.messages))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Flexsync demo – e-mails sent</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1d2433; }}
article {{ border: 1px solid #c9cfdb; border-radius: .5rem; margin: 1rem 0; padding: .5rem 1rem; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; margin: 0; }}
dt {{ font-weight: 600; }} dd {{ margin: 0; overflow-wrap: anywhere; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f5f9; padding: .5rem; }}
iframe {{ width: 100%; height: 24rem; border: 1px solid #c9cfdb; background: #fff; }}
</style></head><body>
<h1>E-mails sent by Flexsync</h1>
<p>Flexsync's demo sends its e-mail here instead of delivering it. Newest first; reload the page to see new ones.
{count}</p>
{messages}
</body></html>"""

MESSAGE = """<article>
<h2>{subject}</h2>
<dl><dt>To</dt><dd>{recipients}</dd><dt>From</dt><dd>{sender}</dd>
<dt>Sent</dt><dd><time datetime="{iso}">{when}</time></dd><dt>Language</dt><dd>{language}</dd></dl>
<details open><summary>Text</summary><pre>{text}</pre></details>
{html}
</article>"""

HTML_PART = """<details open><summary>HTML</summary>
<iframe sandbox title="The HTML of this e-mail" srcdoc="{srcdoc}"></iframe></details>"""


def page(messages: list[CaughtMail]) -> str:
    count = f"{len(messages)} e-mail{'' if len(messages) == 1 else 's'} so far." if messages else "No e-mail yet."
    return PAGE.format(count=count, messages="\n".join(message_html(message) for message in messages))


def message_html(message: CaughtMail) -> str:
    # Every value is escaped; the HTML body too, once more as the srcdoc attribute's value.
    return MESSAGE.format(
        subject=escape(message.subject) or "(no subject)",
        recipients=escape(message.recipients),
        sender=escape(message.sender),
        iso=escape(message.received_at.isoformat()),
        when=escape(message.received_at.strftime("%Y-%m-%d %H:%M:%S")),
        language=escape(message.language) or "not said",
        text=escape(message.text),
        html=HTML_PART.format(srcdoc=escape(message.html, quote=True)) if message.html is not None else "",
    )


def page_handler(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class MailPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's method name
            if self.path.split("?")[0] != "/":
                self.send_error(404)
                return
            body = page(mailbox.newest_first()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # The launcher's terminal is for what matters; a page view is not.
            pass

    return MailPage


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demo.mailcatcher", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=8025, help="where Flexsync sends its mail (SMTP_PORT)")
    parser.add_argument("--port", type=int, default=8026, help="the web page of the e-mails received")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname=args.host, port=args.smtp_port)
    smtp.start()
    web = ThreadingHTTPServer((args.host, args.port), page_handler(mailbox))
    print(f"mail catcher: SMTP on {args.host}:{args.smtp_port}, page on http://{args.host}:{args.port}", flush=True)
    try:
        web.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        web.server_close()
        smtp.stop()


if __name__ == "__main__":
    main()
