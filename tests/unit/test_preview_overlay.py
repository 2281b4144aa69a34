"""A preview plans every page as the run does after writing the pages before, writing nothing:
the overlay of earlier decisions stands in for the rows the run would have written."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.sync_examples import TODAY, apply_plan, contract, employee, record
from portal.sync.lookup import page_lookup
from portal.sync.overlay import Overlay
from portal.sync.plan import Action, BatchPlan, plan_batch
from portal.sync.preview import Category, Preview
from portal.sync.state import LocalState, SyncMode

records = st.builds(
    record,
    provider_id=st.sampled_from(["P-1", "P-2", "P-3", "P-4", "P-5", "P-6"]),
    first_name=st.sampled_from(["An", "Bo"]),
    email=st.sampled_from(["an@example.be", "bo@example.be", "els@example.be", "jan@example.be", None]),
    contracts=st.sampled_from([(contract(),), (contract(end_date=TODAY.replace(year=2024)),)]),
)
local_states = st.lists(
    st.builds(
        employee,
        local_id=st.integers(1, 4),
        email=st.sampled_from(["an@example.be", "bo@example.be", "els@example.be"]),
        provider_id=st.sampled_from([None, "P-1", "P-2"]),
    ),
    max_size=3,
    unique_by=(lambda e: e.local_id, lambda e: e.email, lambda e: e.provider_id or e.email),
).map(lambda es: LocalState(tuple(es)))


def loaded(database: LocalState, page: list, synced_ids: frozenset[str]) -> LocalState:
    """What the store reads from a database for the page."""
    lookup = page_lookup(page, synced_ids, TODAY)
    return LocalState(tuple(e for e in database.employees if lookup.may_match(e)), dict(database.selections))


def plan(page: list, state: LocalState, seen: set[str], mode: SyncMode) -> BatchPlan:
    return plan_batch(page, state, {}, TODAY, mode, seen_earlier=frozenset(seen))


def comparable(result: BatchPlan) -> list[tuple]:
    """Decisions without the ids a database would give new rows."""
    return [
        (d.action, d.provider_id, d.reason, d.changes, d.matched_by_email, d.newly_offered, d.probable_duplicate_of is None)
        for d in result.decisions
    ]


@settings(max_examples=200, deadline=None)
@given(
    pages=st.lists(st.lists(records, max_size=4), min_size=2, max_size=4),
    start=local_states,
    mode=st.sampled_from(list(SyncMode)),
)
def test_each_page_is_planned_as_after_writing_the_pages_before(pages, start, mode):
    synced_ids = frozenset(e.provider_id for e in start.employees if e.provider_id)
    database, run_seen, run_plans = start, set(), []
    for page in pages:
        result = plan(page, loaded(database, page, synced_ids), run_seen, mode)
        database = apply_plan(database, result)
        run_seen |= result.seen_provider_ids
        run_plans.append(comparable(result))

    overlay, preview_seen, preview_plans = Overlay(), set(), []
    for page in pages:
        state = overlay.state(loaded(start, page, synced_ids), page_lookup(page, synced_ids, TODAY))
        result = plan(page, state, preview_seen, mode)
        overlay.apply(result, state)
        preview_seen |= result.seen_provider_ids
        preview_plans.append(comparable(result))

    assert preview_plans == run_plans


def test_someone_created_on_an_earlier_page_holds_their_e_mail_on_a_later_one():
    first, later = record("P-1", email="an@example.be"), record("P-2", email="an@example.be")
    overlay, preview = Overlay(), Preview(first_sync=True)
    for page in ([first], [later]):
        state = overlay.state(LocalState(), page_lookup(page, frozenset(), TODAY))
        result = plan(page, state, {"P-1"} if page == [later] else set(), SyncMode.FULL)
        overlay.apply(result, state)
        preview.add_page(result, state, page, 0)
    assert [p.provider_id for p in preview.people[Category.CREATED]] == ["P-1"]
    assert [(p.provider_id, p.reason.value) for p in preview.people[Category.FAILED]] == [("P-2", "entity_move")]
    assert Preview.from_json(preview.to_json()) == preview


def test_a_namesake_by_employee_number_created_on_an_earlier_page_is_a_probable_duplicate_on_a_later_one():
    """Defends against the overlay finding earlier namesakes by their start date only."""
    first = record("P-1", email="an@example.be", start_date=date(2024, 1, 1), employee_number="7")
    later = record("P-2", email="an.peeters@example.be", start_date=date(2025, 3, 1), employee_number="7")
    overlay = Overlay()
    for page in ([first], [later]):
        state = overlay.state(LocalState(), page_lookup(page, frozenset(), TODAY))
        result = plan(page, state, set(), SyncMode.FULL)
        overlay.apply(result, state)
    (created,) = result.decisions
    assert created.action is Action.CREATE and created.probable_duplicate_of == -1
