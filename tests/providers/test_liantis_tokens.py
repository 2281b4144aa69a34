"""Liantis consent is given once; Flexsync keeps its tokens fresh, and asks the admin to
connect again only when the consent itself is gone."""

from __future__ import annotations

import time

import pytest
import requests

from portal.providers.base import ProviderUnavailable, ReconnectNeeded
from sandbox.testing import set_faults


def read_count(connector) -> int:
    return sum(len(page.items) for page in connector.employees())


def test_a_fresh_consent_reads_without_touching_the_tokens(connect, liantis_credentials):
    connector = connect("liantis")
    assert read_count(connector) > 0
    assert not liantis_credentials.changed


def test_an_access_token_refused_as_expired_is_refreshed_once(connect, sandboxes, liantis_credentials):
    old_access, old_refresh = liantis_credentials.access_token, liantis_credentials.refresh_token
    requests.post(f"{sandboxes['liantis']}/_admin/oauth/expire-tokens", timeout=10)

    connector = connect("liantis")
    assert read_count(connector) > 0
    assert liantis_credentials.changed
    assert liantis_credentials.access_token != old_access
    assert liantis_credentials.refresh_token != old_refresh
    assert liantis_credentials.expires_at > time.time() + 600


def test_a_token_known_to_be_expired_is_refreshed_before_it_is_used(connect, sandboxes, liantis_credentials):
    liantis_credentials.expires_at = time.time() - 1
    old_access = liantis_credentials.access_token
    assert read_count(connect("liantis")) > 0
    assert liantis_credentials.changed and liantis_credentials.access_token != old_access
    # The refresh rotated the pair: the old access token is dead, the new one works.
    old = requests.get(
        f"{sandboxes['liantis']}/api/companies",
        params={"vat": "x"},
        timeout=10,
        headers={"Authorization": f"Bearer {old_access}"},
    )
    assert old.status_code == 401


def test_withdrawn_consent_asks_the_admin_to_connect_again(connect, sandboxes):
    connector = connect("liantis")
    requests.post(f"{sandboxes['liantis']}/_admin/oauth/revoke-grants", timeout=10)
    with pytest.raises(ReconnectNeeded, match="refresh token"):
        read_count(connector)


def test_tokens_refused_as_soon_as_issued_stop_the_run_for_an_operator(connect, sandboxes):
    connector = connect("liantis")
    set_faults(sandboxes["liantis"], token_ttl_s=0)
    requests.post(f"{sandboxes['liantis']}/_admin/oauth/expire-tokens", timeout=10)
    with pytest.raises(ProviderUnavailable, match="just issued"):
        read_count(connector)
