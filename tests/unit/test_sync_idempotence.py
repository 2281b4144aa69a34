"""Idempotent and resumable: a page planned and applied once needs nothing the second time."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.sync_examples import HRIS_POLICIES, LIANTIS_POLICIES, TODAY, apply_plan, contract, employee, record, sync
from portal.providers.base import WageType, WorkerClass
from portal.sync.plan import Action
from portal.sync.state import LocalState, Selection, SyncMode

names = st.sampled_from(["An", "Bo", "Célie", " Jan ", "Els"])
emails = st.sampled_from(["an@example.be", "BO@example.be", " els@example.be", None, "jan@example.be"])
contracts = st.builds(
    contract,
    provider_id=st.sampled_from(["C-1", "C-2"]),
    wage_type=st.sampled_from(list(WageType)),
    worker_class=st.sampled_from(list(WorkerClass)),
    gross_amount=st.decimals(min_value=-5, max_value=5000, places=2, allow_nan=False, allow_infinity=False),
    start_date=st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 6, 1)),
    end_date=st.none() | st.none() | st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 1, 1)),
    work_regime_pct=st.sampled_from([Decimal("100"), Decimal("80"), Decimal("50")]),
)
records = st.builds(
    record,
    provider_id=st.sampled_from(["P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7", "P-8"]),
    first_name=names,
    email=emails,
    language=st.sampled_from(["nl", "fr", None]),
    phone=st.sampled_from(["+32470000000", None]),
    excluded=st.sampled_from([False] * 5 + [True]),
    contracts=st.lists(contracts, min_size=1, max_size=2).map(tuple),
)
local_states = st.lists(
    st.builds(
        employee,
        local_id=st.integers(1, 4),
        email=st.sampled_from(["an@example.be", "bo@example.be", "els@example.be"]),
        provider_id=st.sampled_from([None, "P-1", "P-2"]),
        active=st.booleans(),
    ),
    max_size=3,
    unique_by=(lambda e: e.local_id, lambda e: e.email, lambda e: e.provider_id or e.email),
).map(lambda es: LocalState(tuple(es), {"P-3": Selection.SELECTED}))


@settings(max_examples=150, deadline=None)
@given(
    page=st.lists(records, max_size=6),
    state=local_states,
    policies=st.sampled_from([{}, LIANTIS_POLICIES, HRIS_POLICIES]),
    mode=st.sampled_from(list(SyncMode)),
)
def test_planning_a_page_again_after_applying_it_writes_nothing(page, state, policies, mode):
    first = sync(page, state, policies, mode)
    second = sync(page, apply_plan(state, first), policies, mode)

    assert not any(d.writes for d in second.decisions)
    assert not any(d.action in (Action.CREATE, Action.UPDATE, Action.DEACTIVATE) for d in second.decisions)


@settings(max_examples=50, deadline=None)
@given(page=st.lists(records, max_size=6), days_later=st.integers(0, 400))
def test_a_sync_killed_after_any_employee_and_run_again_ends_in_the_same_state(page, days_later):
    today = TODAY + timedelta(days=days_later)
    once = apply_plan(LocalState(), sync(page, today=today))
    for cut in range(len(page) + 1):
        half = apply_plan(LocalState(), sync(page[:cut], today=today))
        resumed = apply_plan(half, sync(page, half, today=today))
        assert _people(resumed) == _people(once)


def _people(state: LocalState):
    """Employees by provider ID: local ids differ between runs, the people must not."""
    return {e.provider_id: replace(e, local_id=0) for e in state.employees}
