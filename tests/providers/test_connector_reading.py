"""An HR admin's company is read completely, page by page, and translated exactly."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest

from portal.providers.base import (
    ContractType,
    EmployeeRecord,
    FieldPolicy,
    Page,
    Provider,
    WageContractRecord,
    WageType,
    WorkerClass,
)
from portal.providers.registry import connector_class, connector_for, options_from_config
from sandbox.testing import true_employees

PROVIDERS = [p.value for p in Provider]


def read_all(connector) -> list[Page]:
    return list(connector.employees())


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_page_is_read_and_every_employee_listed_once(provider, connect, sandboxes, sandbox_demo_company):
    truth = true_employees(sandboxes[provider], sandbox_demo_company["id"])
    connector = connect(provider)
    pages = read_all(connector)

    assert len(pages) == math.ceil(len(truth) / connector.page_size) > 1
    records = [item for page in pages for item in page.items]
    assert all(isinstance(r, EmployeeRecord) for r in records)
    assert [r.provider_id for r in records] == [e["id"] for e in truth]
    # Liantis pages by cursor and never says how many there are.
    expected_total = None if provider == Provider.LIANTIS else len(truth)
    assert {page.total for page in pages} == {expected_total}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_one_employee_is_translated_field_by_field(provider, connect, sandboxes, sandbox_demo_company):
    truth = true_employees(sandboxes[provider], sandbox_demo_company["id"])
    records = {r.provider_id: r for page in read_all(connect(provider)) for r in page.items}
    # One with an ended contract and a current one, to check every contract.
    raw = next(e for e in truth if len(e["contracts"]) > 1)

    venues = {e["id"]: e["name"] for e in sandbox_demo_company["entities"]}
    assert records[raw["id"]] == expected_record(raw, Provider(provider), venues)


def expected_record(raw: dict, provider: Provider, entity_names: dict[str, str]) -> EmployeeRecord:
    """What the dataset's person must look like once a connector has read it."""
    return EmployeeRecord(
        provider_id=raw["id"],
        first_name=raw["first_name"],
        last_name=raw["last_name"],
        email=raw["email"],
        language=raw["language"],
        # Connexie team members carry no start date.
        start_date=None if provider == Provider.CONNEXIE else date.fromisoformat(raw["start_date"]),
        employee_number=raw["employee_number"],
        phone=raw["phone"] if provider in (Provider.CONNEXIE, Provider.HRIS) else None,
        entity_ref=raw["entity_id"],
        # Only Securex sends the entity's name with each employee.
        entity_name=entity_names[raw["entity_id"]] if provider == Provider.SECUREX else None,
        contracts=tuple(expected_contract(c, provider) for c in raw["contracts"]),
        excluded=bool(raw["excluded"]) if provider == Provider.HRIS else False,
    )


def expected_contract(raw: dict, provider: Provider) -> WageContractRecord:
    def amount(key: str) -> Decimal | None:
        return Decimal(raw[key]) if raw.get(key) is not None else None

    return WageContractRecord(
        provider_id=raw["id"],
        wage_type=WageType(raw["wage_type"]),
        gross_amount=Decimal(raw["gross_amount"]),
        start_date=date.fromisoformat(raw["start_date"]),
        end_date=date.fromisoformat(raw["end_date"]) if raw["end_date"] else None,
        worker_class=WorkerClass(raw["worker_class"]),
        work_regime_pct=Decimal(raw["work_regime_pct"]),
        weekly_hours=amount("weekly_hours"),
        employer_social_security_pct=amount("employer_social_security_pct"),
        contract_type=ContractType(raw["contract_type"]) if provider == Provider.CONNEXIE else None,
        entity_ref=raw["entity_id"],
        wage_code=None if provider == Provider.HRIS else raw["wage_code"],
    )


def test_securex_amounts_sent_as_numbers_keep_their_decimals(connect, sandboxes, sandbox_demo_company):
    truth = true_employees(sandboxes["securex"], sandbox_demo_company["id"])
    records = [r for page in read_all(connect("securex")) for r in page.items]
    for raw, record in zip(truth, records, strict=True):
        assert [c.gross_amount for c in record.contracts] == [Decimal(c["gross_amount"]) for c in raw["contracts"]]


def test_an_employee_excluded_in_the_hr_system_says_so(connect, sandboxes, sandbox_demo_company):
    truth = true_employees(sandboxes["hris"], sandbox_demo_company["id"])
    records = [r for page in read_all(connect("hris")) for r in page.items]
    assert [r.provider_id for r in records if r.excluded] == [e["id"] for e in truth if e["excluded"]]
    assert any(r.excluded for r in records)


def test_field_policies_follow_each_providers_rules():
    liantis, hris = connector_class("liantis"), connector_class("hris")
    securex, connexie = connector_class("securex"), connector_class("connexie")
    assert liantis.field_policies == {"language": FieldPolicy.FIRST_SYNC_ONLY}
    assert hris.field_policies == {"email": FieldPolicy.NEVER_OVERWRITE_AND_ALERT, "phone": FieldPolicy.OVERWRITE_AND_REVERIFY}
    assert securex.field_policies == connexie.field_policies == {}
    assert liantis.max_concurrent_syncs < securex.max_concurrent_syncs


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_locked_field_link_opens_the_employee_at_the_provider(provider, sandboxes):
    # Built from the connector class alone: a page needs no secret to link to the provider.
    url = connector_class(provider).edit_url(sandboxes[provider], "C001-000007")
    assert url.startswith(sandboxes[provider] + "/") and "/C001-000007" in url


def test_the_registry_builds_each_connector_from_the_app_config(sandboxes, sandbox_demo_company):
    from portal.providers.base import Credentials

    config = {
        "SECUREX_API_KEY": "securex-sandbox-key",
        "LIANTIS_CLIENT_ID": "flexsync",
        "LIANTIS_CLIENT_SECRET": "flexsync-sandbox-secret",
        "OTHER": "x",
    }
    assert options_from_config("liantis", config) == {"client_id": "flexsync", "client_secret": "flexsync-sandbox-secret"}
    assert options_from_config("connexie", config) == {}
    securex = connector_for(
        Provider.SECUREX,
        sandboxes["securex"],
        Credentials(vat_number=sandbox_demo_company["vat"]),
        **options_from_config("securex", config),
    )
    assert securex.find_company().name == sandbox_demo_company["name"]
    assert isinstance(securex, connector_class("securex"))


def test_connexie_lists_venues_and_codes_for_the_wizard(connect, sandboxes, sandbox_demo_company):
    from sandbox.testing import set_faults

    connexie = connect("connexie")
    assert [(v.id, v.name) for v in connexie.venues()] == [(e["id"], e["name"]) for e in sandbox_demo_company["entities"]]
    assert any(c.active for c in connexie.wage_codes()) and any(c.active for c in connexie.hour_codes())
    assert {c.kind for c in connexie.hour_codes()} >= {"worked_hours"}
    set_faults(sandboxes["connexie"], codes_inactive=True)
    assert not any(c.active for c in connexie.wage_codes() + connexie.hour_codes())


def test_hr_entities_and_liantis_wage_codes_for_the_wizard(connect, sandbox_demo_company):
    assert [e.id for e in connect("hris").entities()] == [e["id"] for e in sandbox_demo_company["entities"]]
    codes = connect("liantis").wage_codes()
    assert codes and all(c.id and c.name for c in codes)


@pytest.mark.parametrize("provider", ["securex", "liantis"])
def test_credentials_saved_without_the_company_id_find_it_by_vat(provider, connect, sandbox_demo_company):
    connector = connect(provider)
    connector.credentials.provider_company_id = None
    assert len(read_all(connector)) > 1
    assert connector.credentials.provider_company_id == sandbox_demo_company["id"]
    assert connector.credentials.changed


@pytest.mark.parametrize("provider", ["connexie", "hris"])
def test_a_token_revoked_since_activation_asks_the_admin_to_connect_again(provider, connect):
    from portal.providers.base import Credentials, ReconnectNeeded

    with pytest.raises(ReconnectNeeded):
        read_all(connect(provider, Credentials(api_token="revoked-token")))


def test_connexie_takes_worked_hours_and_a_resend_replaces_them(connect, sandboxes, sandbox_demo_company):
    truth = true_employees(sandboxes["connexie"], sandbox_demo_company["id"])
    member, contract = next(
        (e, c) for e in truth for c in e["contracts"] if c["contract_type"] == "flex" and c["end_date"] is None
    )
    line = {"team_member_id": member["id"], "date": contract["start_date"], "type": "worked_hours", "quantity": "6.5"}
    connexie = connect("connexie")
    period = {"start": contract["start_date"], "end": contract["start_date"]}
    assert connexie.post_hours("2025-05", period, [line])["lines_accepted"] == 1
    again = connexie.post_hours("2025-05", period, [line])
    assert (again["status"], again["lines_replaced"]) == ("replaced", 1)
