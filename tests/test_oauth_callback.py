"""The Liantis consent callback against every way its answer can be wrong: refused, and
nothing stored. (The browser story of consent, replay and denial is test_activation_liantis.py.)"""

from __future__ import annotations

from functools import partial

import pytest
import requests

from helpers.activation import integration_of
from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.models import IntegrationState
from sandbox.testing import FLEXSYNC_CALLBACK, query_of

# MyLiantis only sends people back to the registered `make run` callback: the test client plays that host.
HOST = FLEXSYNC_CALLBACK.split("/integrations")[0]
UNEXPECTED = "This consent answer was not expected"


class Admin:
    """One HR admin's browser session at Flexsync and at MyLiantis."""

    def __init__(self, app, liantis_url: str, email: str = "hr@demo.test") -> None:
        client = app.test_client()
        self.get, self.post = partial(client.get, base_url=HOST), partial(client.post, base_url=HOST)
        token = csrf_token_from(self.get("/login").get_data(as_text=True))
        self.post("/login", data={"email": email, "password": "demo", "csrf_token": token})
        self.liantis_url = liantis_url
        self.myliantis = requests.Session()

    def start_consent(self) -> str:
        token = csrf_token_from(self.get("/integrations").get_data(as_text=True))
        return self.post("/integrations/liantis/activate/connect", data={"csrf_token": token}).headers["Location"]

    def answer_at_myliantis(self, authorize_url: str, decision: str = "allow", login: str = "main.c001") -> str:
        """Consent (or refuse) at MyLiantis; returns where MyLiantis sends the browser back."""
        to_login = self.myliantis.get(authorize_url, allow_redirects=False)
        base = self.liantis_url
        if to_login.status_code != 302:
            consent = to_login  # already logged in at MyLiantis: the consent page itself
        else:
            next_url = query_of(base + to_login.headers["Location"])["next"]
            consent = self.myliantis.post(f"{base}/login", data={"login": login, "next": next_url})
        action = consent.text.split('<form method="post" action="')[1].split('"')[0].replace("&amp;", "&")
        return self.myliantis.post(base + action, data={"decision": decision}, allow_redirects=False).headers["Location"]

    def callback(self, url: str):
        return self.get(url.removeprefix(HOST))


@pytest.fixture
def admin(app, make_available, providers_at_sandboxes) -> Admin:
    make_available("liantis")
    return Admin(app, providers_at_sandboxes["liantis"])


def stored(app):
    with app.app_context():
        integration = integration_of("liantis")
        return integration.credentials, integration.state


def assert_nothing_stored(app) -> None:
    assert stored(app) == (None, IntegrationState.AVAILABLE)


def test_a_callback_without_state_is_refused(app, admin):
    """Defends against login CSRF: a code injected without any state."""
    admin.start_consent()
    assert UNEXPECTED in admin.callback(f"{FLEXSYNC_CALLBACK}?code=abc").get_data(as_text=True)
    assert_nothing_stored(app)


def test_a_mismatched_state_is_refused_even_with_a_real_code(app, admin):
    """Defends against an attacker's genuine code delivered with a state not of this consent."""
    back = query_of(admin.answer_at_myliantis(admin.start_consent()))
    admin.start_consent()  # a new attempt: the first state is replaced
    response = admin.callback(f"{FLEXSYNC_CALLBACK}?code={back['code']}&state=not-{back['state']}")
    assert UNEXPECTED in response.get_data(as_text=True)
    assert_nothing_stored(app)


def test_another_sessions_state_and_code_are_refused(app, admin, providers_at_sandboxes):
    """Defends against consent fixation: the attacker's own valid callback URL (state and code
    from their session) opened in the victim's session would link the attacker's account."""
    attacker = Admin(app, providers_at_sandboxes["liantis"])
    foreign = attacker.answer_at_myliantis(attacker.start_consent())
    admin.start_consent()
    assert UNEXPECTED in admin.callback(foreign).get_data(as_text=True)
    assert_nothing_stored(app)


def test_a_replayed_answer_and_a_reused_code_are_refused(app, admin):
    """Defends against replay: the same callback twice, or the used code under a fresh state,
    never replaces what the first consent stored."""
    first = admin.answer_at_myliantis(admin.start_consent())
    assert admin.callback(first).status_code == 302
    credentials, _state = stored(app)
    assert credentials["access_token"]
    assert UNEXPECTED in admin.callback(first).get_data(as_text=True)
    with app.app_context():
        integration = integration_of("liantis")
        integration.state = IntegrationState.RECONNECT_NEEDED  # lets the wizard start a consent again
        db.session.commit()
    fresh = query_of(admin.answer_at_myliantis(admin.start_consent()))
    reused = admin.callback(f"{FLEXSYNC_CALLBACK}?code={query_of(first)['code']}&state={fresh['state']}")
    assert "Connected to" not in reused.get_data(as_text=True)
    assert stored(app)[0] == credentials


def test_access_denied_is_refused_and_stores_nothing(app, admin):
    """Defends against treating a refused consent as granted."""
    back = admin.answer_at_myliantis(admin.start_consent(), decision="deny")
    assert query_of(back)["error"] == "access_denied"
    assert "Consent cancelled" in admin.callback(back).get_data(as_text=True)
    assert_nothing_stored(app)


def test_myliantis_refuses_an_unregistered_redirect_uri(admin, myliantis):
    """Defends against a code being sent to an attacker's site (open redirect at the provider)."""
    for evil in ("http://127.0.0.1:9/steal", FLEXSYNC_CALLBACK + "/../../steal", FLEXSYNC_CALLBACK.replace("5000", "5001")):
        response = myliantis.open_authorize(redirect_uri=evil)
        assert response.status_code >= 400 or not response.headers.get("Location", "").startswith(evil), evil


def test_a_code_exchanged_with_another_redirect_uri_is_refused(admin, myliantis):
    """Defends against a stolen code being redeemed through a different redirect URI."""
    code = myliantis.decide(myliantis.log_in_as("main.c001"), "allow")["code"]
    response = requests.post(
        f"{myliantis.base_url}/oauth/token",
        auth=("flexsync", "flexsync-sandbox-secret"),
        timeout=10,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": myliantis.verifier,
            "redirect_uri": "http://127.0.0.1:9/steal",
        },
    )
    assert response.status_code == 400
