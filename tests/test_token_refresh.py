"""Liantis rotates its refresh token on every refresh: concurrent jobs finding the access
token expired must refresh once between them, and a refused grant must reach the admin."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
import requests
from sqlalchemy import select

from helpers.concurrency import at_once
from helpers.sync_runs import finished_run, start_sync
from helpers.waiting import wait_for
from portal.extensions import db
from portal.integrations import connectors
from portal.models import Integration, IntegrationState, RunState
from portal.providers.base import ReconnectNeeded
from portal.providers.liantis import LiantisConnector


@pytest.fixture
def expired_liantis(sync_setup, activate, liantis_credentials) -> int:
    """An active Liantis integration whose stored access token expired a minute ago."""
    return activate(
        "liantis",
        company_id=liantis_credentials.provider_company_id,
        credentials={
            "access_token": liantis_credentials.access_token,
            "refresh_token": liantis_credentials.refresh_token,
            "expires_at": time.time() - 60,
        },
    )


@pytest.fixture
def refresh_count(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = LiantisConnector._refresh_tokens

    def counted(self) -> None:
        calls.append(1)
        original(self)

    monkeypatch.setattr(LiantisConnector, "_refresh_tokens", counted)
    return calls


def test_without_a_guard_a_second_job_refreshing_the_same_pair_is_refused(connect, liantis_credentials):
    """Shows the hazard the guard defends against: after one refresh the old refresh token is
    dead, so a job still holding it would wrongly conclude the consent was withdrawn."""
    stale = replace(liantis_credentials, expires_at=time.time() - 60)
    first, second = (connect("liantis", credentials=replace(stale)) for _ in range(2))
    assert first.wage_codes()
    with pytest.raises(ReconnectNeeded):
        second.wage_codes()


def test_jobs_finding_an_expired_token_at_once_refresh_exactly_once_and_persist_it(sync_setup, expired_liantis, refresh_count):
    """Defends against concurrent jobs each refreshing a rotating token: one refresh, stored,
    every job reads with it, and nobody is wrongly told to reconnect."""
    app = sync_setup

    def job(_i: int) -> str:
        with app.app_context():
            integration = db.session.execute(select(Integration).where(Integration.id == expired_liantis)).scalar_one()
            connector = connectors.for_background_work(integration, app.config)
            connector.wage_codes()
            db.session.remove()
            return connector.credentials.access_token

    results = at_once(job)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(refresh_count) == 1
    with app.app_context():
        integration = db.session.get(Integration, expired_liantis)
        stored = integration.credentials
        assert integration.state is IntegrationState.ACTIVE
    assert set(results) == {stored["access_token"]} and stored["expires_at"] > time.time()
    # What was stored is the live pair: a later run reads with it.
    with app.app_context():
        integration = db.session.get(Integration, expired_liantis)
        assert connectors.for_background_work(integration, app.config).wage_codes()


def test_a_refused_grant_says_reconnect_on_the_card_and_in_the_email(
    smtp_server, sync_setup, sandboxes, expired_liantis, worker, client, auth
):
    """Defends against a withdrawn consent failing silently, or looking like a provider outage."""
    app = sync_setup
    requests.post(f"{sandboxes['liantis']}/_admin/oauth/revoke-grants", timeout=10)
    run = finished_run(app, start_sync(app, expired_liantis))
    assert (run.status, run.error_code) == (RunState.ERROR, "reconnect_needed")
    auth.login()
    card = client.get("/integrations/liantis/card", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Liantis no longer accepts our connection. Connect again" in card
    mail = wait_for(lambda: smtp_server.to("hr@demo.test"), timeout=15, message="the summary e-mail")[0]
    # Demo NV's language is Dutch: "reconnect via the Integrations page".
    assert mail["Subject"].startswith("Liantis-sync: Fout")
    assert "Maak opnieuw verbinding via de pagina Integraties" in mail.get_body(("plain",)).get_content()
