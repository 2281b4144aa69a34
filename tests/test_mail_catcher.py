"""The demo's mail catcher: what Flexsync sends lands on one page, every value escaped."""

from __future__ import annotations

import smtplib
import subprocess
import sys
from email.message import EmailMessage

import requests

from demo.launcher import free_port, wait_for_port
from helpers.paths import ROOT


def test_an_email_sent_to_the_mail_catcher_shows_on_its_page_escaped():
    smtp_port, page_port = free_port(), free_port()
    catcher = subprocess.Popen(
        [sys.executable, "-m", "demo.mailcatcher", "--smtp-port", str(smtp_port), "--port", str(page_port)], cwd=ROOT
    )
    try:
        wait_for_port(smtp_port, timeout=15)
        wait_for_port(page_port, timeout=15)
        assert "No e-mail yet." in requests.get(f"http://127.0.0.1:{page_port}/", timeout=5).text
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "Flexsync <no-reply@flexsync.test>", "an@demo.test", "Hi <b>An</b>"
        message.set_content("Your link: <https://example.test>")
        message.add_alternative('<p onclick="x()">Bonjour <script>alert(1)</script></p>', subtype="html")
        message["Content-Language"] = "fr"
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=5) as server:
            server.send_message(message)

        response = requests.get(f"http://127.0.0.1:{page_port}/", timeout=5)
        page = response.text
        assert "<h2>Hi &lt;b&gt;An&lt;/b&gt;</h2>" in page
        assert "<dd>an@demo.test</dd>" in page and "<dt>Language</dt><dd>fr</dd>" in page
        assert "Your link: &lt;https://example.test&gt;" in page
        # The HTML is shown in a sandboxed iframe, as an attribute value that cannot break out.
        assert 'sandbox title="The HTML of this e-mail" srcdoc="&lt;p onclick=&quot;x()&quot;&gt;Bonjour' in page
        assert "<script>" not in page and 'onclick="' not in page
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    finally:
        catcher.terminate()
        catcher.wait(timeout=10)
