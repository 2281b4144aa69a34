"""Liantis over HTTP: MyLiantis consent by a main user, PKCE, tokens, cursor pages."""

from __future__ import annotations

import html
import re

import requests

from sandbox.dataset import DEMO_COMPANY_VAT as DEMO_VAT
from sandbox.testing import FLEXSYNC_CALLBACK as CALLBACK
from sandbox.testing import LIANTIS_CLIENT_AUTH as LIANTIS_CLIENT
from sandbox.testing import query_of, set_faults, true_employees


def api(sandboxes, path, token, **params):
    return requests.get(
        f"{sandboxes['liantis']}/api{path}", params=params, timeout=10, headers={"Authorization": f"Bearer {token}"}
    )


def refresh(sandboxes, refresh_token):
    return requests.post(
        f"{sandboxes['liantis']}/oauth/token",
        auth=LIANTIS_CLIENT,
        timeout=10,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
    )


def test_main_user_consents_and_flexsync_reads_refreshes_and_revokes(sandboxes, myliantis):
    consent_page = myliantis.log_in_as("main.c001")
    assert consent_page.status_code == 200
    assert "Wage contracts" in consent_page.text and "Flexsync Demo BV" in consent_page.text
    callback = myliantis.decide(consent_page, "allow")
    assert callback["state"] == myliantis.state
    token = myliantis.exchange(callback["code"]).json()
    assert token["expires_in"] == 3600 and token["refresh_token"]

    company = api(sandboxes, "/companies", token["access_token"], vat=DEMO_VAT)
    assert company.status_code == 200 and company.json()["vat_number"] == DEMO_VAT

    renewed = refresh(sandboxes, token["refresh_token"])
    assert renewed.status_code == 200
    fresh = renewed.json()
    assert api(sandboxes, "/companies/C001/wage-codes", fresh["access_token"]).status_code == 200
    assert api(sandboxes, "/companies/C001/wage-codes", token["access_token"]).status_code == 401
    assert refresh(sandboxes, token["refresh_token"]).status_code == 400

    revoked = requests.post(
        f"{sandboxes['liantis']}/oauth/revoke",
        auth=LIANTIS_CLIENT,
        timeout=10,
        data={"token": fresh["refresh_token"], "token_type_hint": "refresh_token"},
    )
    assert revoked.status_code == 200
    assert api(sandboxes, "/companies/C001/wage-codes", fresh["access_token"]).status_code == 401
    assert refresh(sandboxes, fresh["refresh_token"]).json()["error"] == "invalid_grant"


def test_someone_who_is_not_a_main_user_gets_a_clear_refusal(myliantis):
    refusal = myliantis.log_in_as("colleague.c001")
    assert refusal.status_code == 403
    assert "not a main user" in refusal.text
    back = refusal.text.split('id="back" href="')[1].split('"')[0].replace("&amp;", "&")
    assert back.startswith(CALLBACK)
    assert query_of(back) == {"error": "access_denied", "error_description": "not_main_user", "state": myliantis.state}


def test_deny_sends_access_denied_back_to_flexsync(myliantis):
    callback = myliantis.decide(myliantis.log_in_as("main.c001"), "deny")
    assert callback["error"] == "access_denied" and "code" not in callback


def test_a_wrong_code_verifier_and_a_reused_code_are_refused(myliantis):
    callback = myliantis.decide(myliantis.log_in_as("main.c001"), "allow")
    wrong = myliantis.exchange(callback["code"], verifier="x" * 50)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    first = myliantis.exchange(callback["code"])
    assert first.status_code == 200
    replay = myliantis.exchange(callback["code"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_a_replayed_code_revokes_the_tokens_it_gave(sandboxes, myliantis):
    callback = myliantis.decide(myliantis.log_in_as("main.c001"), "allow")
    token = myliantis.exchange(callback["code"]).json()
    myliantis.exchange(callback["code"])
    assert api(sandboxes, "/companies/C001/wage-codes", token["access_token"]).status_code == 401


def test_pkce_with_s256_is_required(myliantis):
    myliantis.log_in_as("main.c001")
    without = myliantis.open_authorize(code_challenge=None, code_challenge_method=None)
    assert query_of(without.headers["Location"])["error"] == "invalid_request"
    plain = myliantis.open_authorize(code_challenge_method="plain")
    assert query_of(plain.headers["Location"])["error"] == "invalid_request"


def test_an_unregistered_redirect_uri_is_never_redirected_to(myliantis):
    answer = myliantis.open_authorize(redirect_uri="http://127.0.0.1:6666/steal")
    assert answer.status_code == 400 and "Location" not in answer.headers


def test_tokens_can_be_made_to_expire_at_once(sandboxes, myliantis):
    set_faults(sandboxes["liantis"], token_ttl_s=0)
    token = myliantis.consent_as_main_user()
    assert token["expires_in"] == 0
    assert api(sandboxes, "/companies/C001/wage-codes", token["access_token"]).status_code == 401
    renewed = refresh(sandboxes, token["refresh_token"]).json()
    set_faults(sandboxes["liantis"], token_ttl_s=None)
    renewed = refresh(sandboxes, renewed["refresh_token"]).json()
    assert api(sandboxes, "/companies/C001/wage-codes", renewed["access_token"]).status_code == 200
    requests.post(f"{sandboxes['liantis']}/_admin/oauth/expire-tokens", timeout=10)
    assert api(sandboxes, "/companies/C001/wage-codes", renewed["access_token"]).status_code == 401


def test_withdrawn_consent_ends_every_grant(sandboxes, myliantis):
    token = myliantis.consent_as_main_user()
    requests.post(f"{sandboxes['liantis']}/_admin/oauth/revoke-grants", timeout=10)
    assert api(sandboxes, "/companies/C001/wage-codes", token["access_token"]).status_code == 401
    assert refresh(sandboxes, token["refresh_token"]).status_code == 400


def test_cursor_pages_cover_every_employee_once(sandboxes, myliantis, sandbox_demo_company):
    access = myliantis.consent_as_main_user()["access_token"]
    seen, cursor = [], None
    while True:
        params = {"limit": 40} | ({"cursor": cursor} if cursor else {})
        body = api(sandboxes, f"/companies/{sandbox_demo_company['id']}/employees", access, **params).json()
        seen += [e["id"] for e in body["data"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    assert sorted(seen) == sorted(e["id"] for e in true_employees(sandboxes["liantis"], sandbox_demo_company["id"]))
    contract = body["data"][0]["wage_contracts"][0]
    assert {
        "wage_type",
        "gross_amount",
        "worker_class",
        "start_date",
        "end_date",
        "work_regime_pct",
        "employer_social_security_pct",
        "wage_code",
    } <= set(contract)
    assert body["data"][0]["language"] in {"NL", "FR", "EN", "DE"}


def test_a_token_reads_only_the_company_that_consented(sandboxes, myliantis, sandbox_companies):
    access = myliantis.consent_as_main_user()["access_token"]
    other = sandbox_companies["C002"]
    refused = api(sandboxes, "/companies", access, vat=other["vat"])
    assert refused.status_code == 403 and refused.json()["error"] == "no_consent"
    assert api(sandboxes, "/companies/C002/employees", access).status_code == 403
    assert api(sandboxes, "/companies/C001/employees", access, cursor="!!!").status_code == 400


def test_wage_codes_are_predefined(sandboxes, myliantis):
    access = myliantis.consent_as_main_user()["access_token"]
    codes = api(sandboxes, "/companies/C001/wage-codes", access).json()["data"]
    assert {"1000", "1010", "1020"} <= {c["code"] for c in codes}


def test_the_slow_knob_delays_each_page(sandboxes, myliantis):
    access = myliantis.consent_as_main_user()["access_token"]
    set_faults(sandboxes["liantis"], page_latency_ms=300)
    page = api(sandboxes, "/companies/C001/employees", access)
    assert page.elapsed.total_seconds() >= 0.3


def test_a_refused_colleague_can_log_out_and_continue_as_the_main_user(sandboxes, myliantis):
    """MyLiantis keeps whoever logged in: "Not you?" logs out and returns to the login with
    the same authorize request, so the main user can still give the consent."""
    refusal = myliantis.log_in_as("colleague.c001")
    assert refusal.status_code == 403
    not_you = html.unescape(re.search(r'id="not-you" href="([^"]+)"', refusal.text)[1])
    to_login = myliantis.session.get(sandboxes["liantis"] + not_you, allow_redirects=False)
    assert to_login.status_code == 302 and to_login.headers["Location"].startswith("/login?")
    login_page = myliantis.session.get(sandboxes["liantis"] + to_login.headers["Location"])
    next_url = html.unescape(re.search(r'name="next" value="([^"]*)"', login_page.text)[1])
    assert next_url == query_of(not_you)["next"] and next_url.startswith("/oauth/authorize?")
    # Logged out: the authorize request now asks who you are instead of refusing again.
    again = myliantis.session.get(sandboxes["liantis"] + next_url, allow_redirects=False)
    assert again.status_code == 302 and again.headers["Location"].startswith("/login")
    logged_in = myliantis.session.post(
        f"{sandboxes['liantis']}/login", data={"login": "main.c001", "next": next_url}, allow_redirects=False
    )
    consent = myliantis.session.get(sandboxes["liantis"] + logged_in.headers["Location"], allow_redirects=False)
    assert consent.status_code == 200 and "Allow" in consent.text
    callback = myliantis.decide(consent, "allow")
    assert callback["state"] == myliantis.state and myliantis.exchange(callback["code"]).status_code == 200


def test_not_you_only_ever_leads_back_to_the_authorize_endpoint(sandboxes):
    answer = requests.get(
        f"{sandboxes['liantis']}/logout", params={"next": "https://elsewhere.test/"}, timeout=10, allow_redirects=False
    )
    assert answer.status_code == 302 and query_of(answer.headers["Location"])["next"] == "/oauth/authorize"
