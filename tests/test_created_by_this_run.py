"""A first sync finds the people it wrote in memory only while they are all the company has:
from the moment anyone else is there, it asks the database again."""

from __future__ import annotations

from sqlalchemy import select

from helpers.sync_examples import TODAY, record
from portal import tenancy
from portal.extensions import db
from portal.models import Employee, Integration, SelectionEntry
from portal.runs.employee_store import CreatedByThisRun, SyncTarget
from portal.sync.lookup import page_lookup
from portal.sync.state import Selection


def test_someone_added_by_hand_during_a_first_sync_is_found_by_their_e_mail(app, activate):
    integration_id = activate("securex")
    newcomer = record("P-1", email="an@example.be")
    lookup = page_lookup([newcomer], frozenset(), TODAY)
    with app.app_context():
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        with tenancy.acting_for(integration.tenant_id):
            created = CreatedByThisRun(SyncTarget.of(integration))
            assert created.state(lookup).employees == ()
            by_hand = Employee(first_name="An", last_name="Peeters", email="an@example.be")
            db.session.add(by_hand)
            db.session.flush()
            assert [e.local_id for e in created.state(lookup).employees] == [by_hand.id]
            db.session.rollback()


def test_a_selection_made_before_a_first_sync_is_met_while_it_keeps_its_people_in_memory(app, activate):
    """Defends against the memory path reading no selections: a re-installed selective
    integration's window already holds the admin's choices when its first sync begins."""
    integration_id = activate("securex")
    lookup = page_lookup([record("P-1"), record("P-2")], frozenset(), TODAY)
    with app.app_context():
        integration = db.session.execute(select(Integration).where(Integration.id == integration_id)).scalar_one()
        with tenancy.acting_for(integration.tenant_id):
            db.session.add(
                SelectionEntry(integration_id=integration_id, provider_id="P-1", selection=Selection.SELECTED, display_name="P 1")
            )
            db.session.flush()
            created = CreatedByThisRun(SyncTarget.of(integration))
            assert created.state(lookup).selections == {"P-1": Selection.SELECTED}
            db.session.rollback()
