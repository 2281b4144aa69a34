"""Logging in as a person does: through the login form, with the test client or the browser."""

from __future__ import annotations

from flask.testing import FlaskClient

from .pages import csrf_token_from


class AuthActions:
    """Logs in the way a person does: through the login form, with its CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str = "hr@demo.test", password: str = "demo"):
        token = csrf_token_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token_from(self.client.get("/").get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


def log_in(page, live_server: str, email: str = "hr@demo.test") -> None:
    """Log in with the browser (a Playwright page) and wait for the welcome page."""
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome").wait_for()
