"""Which records a resync may count as unchanged without reading them (portal/sync/digest.py)."""

from datetime import date

from helpers.sync_examples import TODAY, contract, record
from portal.sync.digest import SyncedRecord, record_digest, split_unchanged, valid_until


def raw(provider_id: object = "P-1", salary: float = 3200.0) -> dict:
    return {"id": provider_id, "first_name": "An", "wage_contracts": [{"gross_amount": salary}]}


def remembered(item: dict, until: date | None = None) -> SyncedRecord:
    return SyncedRecord(record_digest(item), until)


def test_a_record_exactly_as_last_synced_is_counted_unchanged_and_not_planned():
    page = [raw("P-1"), raw("P-2")]

    split = split_unchanged(page, {"P-1": remembered(raw("P-1"))}, TODAY, frozenset())

    assert split.unchanged == {"P-1"}
    assert split.to_plan == (1,)
    assert split.digests == {"P-2": record_digest(raw("P-2"))}


def test_any_change_in_the_record_is_planned():
    split = split_unchanged([raw("P-1", salary=3300.0)], {"P-1": remembered(raw("P-1"))}, TODAY, frozenset())

    assert split.unchanged == frozenset()
    assert split.to_plan == (0,)


def test_an_employee_who_remembers_nothing_is_planned():
    split = split_unchanged([raw("P-1")], {"P-1": SyncedRecord(None, None)}, TODAY, frozenset())

    assert split.to_plan == (0,)


def test_the_day_another_contract_may_become_active_the_record_is_planned_again():
    synced = {"P-1": remembered(raw("P-1"), until=TODAY)}

    assert split_unchanged([raw("P-1")], synced, TODAY, frozenset()).to_plan == (0,)
    assert split_unchanged([raw("P-1")], synced, date(2025, 2, 28), frozenset()).unchanged == {"P-1"}


def test_a_provider_id_listed_twice_is_always_planned_so_the_duplicate_still_fails():
    synced = {"P-1": remembered(raw("P-1"))}

    in_one_page = split_unchanged([raw("P-1"), raw("P-1")], synced, TODAY, frozenset())
    across_pages = split_unchanged([raw("P-1")], synced, TODAY, frozenset({"P-1"}))

    assert in_one_page.to_plan == (0, 1) and in_one_page.digests == {}
    assert across_pages.to_plan == (0,) and across_pages.digests == {}


def test_a_record_without_a_readable_id_is_planned_to_be_reported():
    split = split_unchanged([raw(None), "not an object", raw(True)], {}, TODAY, frozenset())

    assert split.to_plan == (0, 1, 2)


def test_numeric_ids_are_read_as_text_like_the_connectors_do():
    split = split_unchanged([raw(42)], {"42": remembered(raw(42))}, TODAY, frozenset())

    assert split.unchanged == {"42"}


def test_valid_until_is_the_next_start_or_the_day_after_the_next_end():
    running = contract(start_date=date(2024, 1, 1), end_date=date(2025, 3, 31))
    next_one = contract(provider_id="C-2", start_date=date(2025, 6, 1))

    assert valid_until(record(contracts=(running, next_one)), TODAY) == date(2025, 4, 1)
    assert valid_until(record(contracts=(next_one,)), TODAY) == date(2025, 6, 1)
    assert valid_until(record(contracts=(contract(end_date=TODAY),)), TODAY) == date(2025, 3, 2)
    assert valid_until(record(contracts=(contract(),)), TODAY) is None
    assert valid_until(record(contracts=(contract(end_date=date(2025, 1, 31)),)), TODAY) is None
