"""The activation wizard learns exactly why a provider account cannot be connected."""

from __future__ import annotations

import pytest
import requests

from portal.providers.base import ActivationError, ActivationProblem, CompanyInfo, Credentials
from portal.providers.errors import account_name
from sandbox.dataset import be_vat_from_base
from sandbox.testing import set_faults

# Passes the mod-97 check, but no sandbox company has it.
UNKNOWN_VAT = be_vat_from_base(4000000)
NOT_A_VAT = "BE0123456789"


def activation_problem(connector) -> ActivationProblem:
    with pytest.raises(ActivationError) as refused:
        connector.find_company()
    return refused.value.problem


@pytest.mark.parametrize("provider", ["securex", "liantis"])
def test_the_company_is_found_by_its_vat_number(provider, connect, sandbox_demo_company):
    assert connect(provider).find_company() == CompanyInfo(sandbox_demo_company["id"], sandbox_demo_company["name"])


@pytest.mark.parametrize("provider", ["securex", "liantis"])
@pytest.mark.parametrize(
    "vat, problem",
    [
        ("", ActivationProblem.MISSING_VAT),
        (NOT_A_VAT, ActivationProblem.INVALID_VAT),
        (UNKNOWN_VAT, ActivationProblem.COMPANY_NOT_FOUND),
    ],
)
def test_a_wrong_vat_number_is_explained(provider, vat, problem, connect):
    connector = connect(provider)
    connector.credentials.vat_number = vat
    assert activation_problem(connector) == problem


def test_securex_company_that_did_not_open_the_integration_is_not_available(connect, sandbox_companies):
    closed = next(c for c in sandbox_companies.values() if not c["integration_available"])
    assert activation_problem(connect("securex", Credentials(vat_number=closed["vat"]))) == (ActivationProblem.NOT_AVAILABLE)


def test_liantis_consent_for_another_company_is_not_available(connect, sandbox_companies, sandbox_demo_company):
    other = next(c for c in sandbox_companies.values() if c["id"] != sandbox_demo_company["id"])
    connector = connect("liantis")
    connector.credentials.vat_number = other["vat"]
    assert activation_problem(connector) == ActivationProblem.NOT_AVAILABLE


def test_liantis_withdrawn_consent_asks_for_a_new_token(connect, sandboxes):
    connector = connect("liantis")
    requests.post(f"{sandboxes['liantis']}/_admin/oauth/revoke-grants", timeout=10)
    assert activation_problem(connector) == ActivationProblem.INVALID_TOKEN


def test_securex_refusing_flexsyncs_own_key_is_an_internal_error(connect):
    assert activation_problem(connect("securex", api_key="not-the-key")) == ActivationProblem.INTERNAL_ERROR


@pytest.mark.parametrize("provider", ["connexie", "hris"])
def test_a_pasted_token_names_the_account(provider, connect, sandbox_demo_company):
    assert connect(provider).find_company().name == sandbox_demo_company["name"]


@pytest.mark.parametrize("provider", ["connexie", "hris"])
@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_a_wrong_or_missing_token_is_explained(provider, token, connect):
    connector = connect(provider, Credentials(api_token=token))
    assert activation_problem(connector) == ActivationProblem.INVALID_TOKEN


@pytest.mark.parametrize("provider", ["securex", "liantis", "connexie", "hris"])
def test_a_provider_that_keeps_failing_is_an_internal_error(provider, connect, sandboxes, sleeps):
    connector = connect(provider)
    set_faults(sandboxes[provider], error_5xx={"every": 1, "status": 503})
    assert activation_problem(connector) == ActivationProblem.INTERNAL_ERROR
    assert len(sleeps) == connector.http.settings.attempts - 1


@pytest.mark.parametrize(
    ("places", "name"),
    [
        (["Demo NV – Gent", "Demo NV – Antwerpen"], "Demo NV"),
        # The demo's Connexie venues: a city is no company name, and the account stays unnamed.
        (["Gent", "Antwerpen", "Brugge (closed)"], ""),
        (["Demo NV – Gent", "Antwerpen"], ""),
        (["Demo NV – Gent", "Other BV – Gent"], ""),
    ],
)
def test_an_account_is_named_by_the_company_part_its_places_share(places, name):
    assert account_name(places) == name
