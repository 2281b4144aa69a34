"""What the admin reads is in their words: labels instead of codes, languages by name,
phones formatted, long names cut short, sentences that say what really happened."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from helpers.activation import demo_tenant_id, integration_of
from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.i18n import sort_key
from portal.models import (
    Discrepancy,
    Employee,
    Integration,
    IntegrationState,
    RunState,
    SelectionEntry,
    SyncRun,
    SyncRunEmployee,
    Tenant,
    Trigger,
)
from portal.providers.base import Provider, WageType, WorkerClass
from portal.providers.phones import UnreadablePhone, display_phone, normalise_phone
from portal.runs import problems, summary
from portal.sync.outcomes import Reason
from portal.sync.plan import Action
from portal.sync.state import Selection, SyncMode
from portal.texts.labels import label
from portal.texts.languages import language_name
from portal.texts.shortening import shortened

LONG_NAME = ("Anaïs-Maëlle " * 1000)[:10_240]


def post(client, url: str, **data):
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def in_language(client, language: str) -> None:
    post(client, "/language", language=language)


# --- VAT numbers of another country -----------------------------------------------------


def test_a_foreign_vat_number_is_refused_asking_for_the_belgian_one(app, client, auth):
    """Defends against NL123456789B01 being told it "needs 10 digits after BE" as if mistyped."""
    auth.login()
    page = client.post(
        "/company",
        data={
            "name": "Demo NV",
            "vat_number": "NL123456789B01",
            "default_language": "nl",
            "csrf_token": csrf_token_from(client.get("/company").get_data(as_text=True)),
        },
    ).get_data(as_text=True)
    assert "VAT number of another country" in page and "Belgian VAT number of your company" in page
    assert "10 digits after BE, e.g." not in page


def test_the_wizard_asks_for_the_belgian_vat_number_when_company_details_hold_a_foreign_one(app, client, auth, make_available):
    make_available("liantis")
    with app.app_context():
        db.session.get(Tenant, demo_tenant_id()).vat_number = "NL123456789B01"
        db.session.commit()
    auth.login()
    page = post(client, "/integrations/liantis/activate/connect").get_data(as_text=True)
    assert "Invalid VAT number" in page
    assert "NL123456789B01, is a VAT number of another country. Liantis needs the Belgian VAT number" in page


# --- Phones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("+32 470 12 34 56", "+32470123456"), ("0470 12 34 56", "+32470123456"), ("0032 470 12 34 56", "+32470123456")],
)
def test_a_phone_is_stored_in_e164_and_shown_in_international_format(typed, stored):
    assert normalise_phone(typed) == stored
    assert display_phone(stored).replace(" ", "") == stored


def test_a_number_nobody_can_be_reached_on_is_not_a_phone():
    for typed in ("0470 12 34", "reception", "+32"):
        with pytest.raises(UnreadablePhone):
            normalise_phone(typed)
    assert display_phone("kept as typed") == "kept as typed" and display_phone(None) == ""


def test_the_admin_edits_a_phone_as_typed_and_it_is_stored_in_e164(app, client, auth, staff):
    auth.login()
    dirk = staff["Dirk"]
    answer = post(
        client,
        f"/employees/{dirk}",
        first_name="Dirk",
        last_name="Hendrickx",
        email="dirk.hendrickx@demo.test",
        phone="0470 12 34 56",
    )
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(Employee, dirk).phone == "+32470123456"
    page = client.get(f"/employees/{dirk}").get_data(as_text=True)
    assert 'value="+32 470 12 34 56"' in page


def test_a_phone_that_is_no_number_is_refused_on_the_form(app, client, auth, staff):
    auth.login()
    dirk = staff["Dirk"]
    answer = post(
        client,
        f"/employees/{dirk}",
        first_name="Dirk",
        last_name="Hendrickx",
        email="dirk.hendrickx@demo.test",
        phone="0470 12 34",
    )
    assert answer.status_code == 400 and "Enter a phone number like +32 470 12 34 56" in answer.get_data(as_text=True)


def test_phone_verification_is_offered_only_to_people_with_a_phone(app, client, auth, staff):
    """Defends against a "Phone number verified" checkbox for someone without a phone."""
    auth.login()
    assert "Phone number verified" not in client.get(f"/employees/{staff['Dirk']}").get_data(as_text=True)
    greet = client.get(f"/employees/{staff['Greet']}").get_data(as_text=True)
    assert "Phone number verified" in greet and "+32 470 00 00 07" in greet
    post(client, f"/employees/{staff['Dirk']}/phone-verification", phone_verified="y")
    with app.app_context():
        assert db.session.get(Employee, staff["Dirk"]).phone_verified is False


# --- Languages by their name ----------------------------------------------------------------


def test_languages_are_named_in_themselves_even_those_flexsync_does_not_speak(app, client, auth, staff):
    assert [language_name(code) for code in ("nl", "fr", "en", "de", "", None)] == [
        "Nederlands",
        "Français",
        "English",
        "Deutsch",
        "",
        "",
    ]
    with app.app_context():
        db.session.get(Employee, staff["An"]).language = "de"
        db.session.commit()
    auth.login()
    page = client.get(f"/employees/{staff['An']}").get_data(as_text=True)
    assert "Deutsch" in page and ">de<" not in page


# --- The run page, the change log and the summary --------------------------------------------


@pytest.fixture
def run_with_lines(app, staff) -> int:
    """A generic-HR run: a created employee with a full change log, a failure on a salary
    sent as text, a long name, and an e-mail change the run held back."""
    with app.app_context():
        tenant_id = demo_tenant_id()
        hris = db.session.execute(select(Integration).where(Integration.provider == Provider.HRIS)).scalar_one()
        run = SyncRun(
            tenant_id=tenant_id,
            integration_id=hris.id,
            trigger=Trigger.MANUAL,
            status=RunState.PARTIAL,
            created=1,
            failed=2,
            started_at=datetime.utcnow(),
            finished_at=datetime.utcnow(),
        )
        db.session.add(run)
        db.session.flush()
        changes = [
            {"field": "language", "old": None, "new": "de"},
            {"field": "phone", "old": None, "new": "+32470123456"},
            {"field": "wage_contract.wage_type", "old": None, "new": "hourly"},
            {"field": "wage_contract.worker_class", "old": None, "new": "white_collar"},
            {"field": "wage_contract.contract_type", "old": None, "new": "fixed_hours"},
            {"field": "phone_verified", "old": "True", "new": "False"},
            {"field": "wage_contract.end_date", "old": None, "new": None},
        ]
        lines = [
            SyncRunEmployee(
                tenant_id=tenant_id,
                run_id=run.id,
                employee_id=staff["An"],
                provider_id="HR-1",
                display_name="An Janssens",
                action=Action.CREATE,
                changes=changes,
            ),
            SyncRunEmployee(
                tenant_id=tenant_id,
                run_id=run.id,
                provider_id="HR-2",
                display_name="Sam Text",
                action=Action.FAIL,
                reason=Reason.UNREADABLE_VALUE,
                problem_field="wage_contract.provider_gross_amount",
                problem_value="3.500,00",
            ),
            SyncRunEmployee(
                tenant_id=tenant_id,
                run_id=run.id,
                provider_id="HR-3",
                display_name=LONG_NAME[:300],
                action=Action.FAIL,
                reason=Reason.FIELD_TOO_LONG,
            ),
        ]
        db.session.add_all(lines)
        db.session.flush()
        problems.reconcile(run, datetime.utcnow())
        greet_change = db.session.execute(select(Discrepancy).where(Discrepancy.employee_id == staff["Greet"])).scalar_one()
        greet_change.first_seen_run_id = run.id
        db.session.commit()
        return run.id


def test_the_run_line_names_the_value_the_provider_sent_and_says_to_fix_it_there(app, client, auth, run_with_lines):
    auth.login()
    page = client.get(f"/syncs/{run_with_lines}").get_data(as_text=True)
    assert "A value at the provider is not in a form Flexsync can read." in page
    assert "Gross amount at the provider: “3.500,00”" in page
    assert "Correct this value at the provider" in page
    assert "Contact support" not in page.split("Sam Text")[1].split("</tr>")[0]


def test_the_change_log_speaks_in_labels_never_in_codes(app, client, auth, run_with_lines):
    auth.login()
    page = client.get(f"/syncs/{run_with_lines}").get_data(as_text=True)
    for raw in ("white_collar", "fixed_hours", "→ de<", "True", "False", "None"):
        assert raw not in page, raw
    assert "Deutsch" in page and "+32 470 12 34 56" in page and "white-collar" in page and "fixed hours" in page
    assert "Phone verified: yes → no" in page
    in_language(client, "nl")
    page = client.get(f"/syncs/{run_with_lines}").get_data(as_text=True)
    with app.test_request_context(), force_locale("nl"):
        expected = [f"Loontype: — → {label(WageType.HOURLY)}", f"Statuut: — → {label(WorkerClass.WHITE_COLLAR)}"]
    assert "white_collar" not in page and all(text in page for text in expected)


def test_the_run_page_shows_the_e_mail_change_the_run_held_back(app, client, auth, run_with_lines):
    """Defends against a generic-HR run page that is silent on the e-mail change it did not apply."""
    auth.login()
    page = client.get(f"/syncs/{run_with_lines}").get_data(as_text=True)
    held = page.split('id="held-changes"')[1].split("</section>")[0]
    assert "Greet Wouters" in held and "greet@demo.test" in held and "greet.wouters@demo.test" in held
    assert "waiting for your decision" in held


def test_a_long_name_is_cut_short_on_the_run_page_and_in_the_notification(app, client, auth, run_with_lines):
    auth.login()
    page = client.get(f"/syncs/{run_with_lines}").get_data(as_text=True)
    assert LONG_NAME[:300] not in page.replace(f'title="{LONG_NAME[:300]}"', "")
    assert shortened(LONG_NAME[:300]) in page
    with app.test_request_context():
        body = summary.body(summary.summarise(db.session.get(SyncRun, run_with_lines)))
    assert LONG_NAME[:100] not in body and shortened(LONG_NAME[:300]) in body


def test_the_summary_lists_failures_one_a_line_without_doubled_punctuation(app, run_with_lines):
    """Defends against "…for this employee.; Other: …" in the notification and e-mail."""
    with app.test_request_context():
        body = summary.body(summary.summarise(db.session.get(SyncRun, run_with_lines)))
    assert ".;" not in body and ".." not in body
    assert (
        "- Sam Text: A value at the provider is not in a form Flexsync can read. (Gross amount at the provider: “3.500,00”)"
        in body
    )


def test_people_waiting_for_review_are_not_called_up_to_date(app, staff):
    with app.test_request_context():
        securex = db.session.execute(select(Integration).where(Integration.provider == Provider.SECUREX)).scalar_one()
        run = SyncRun(
            tenant_id=demo_tenant_id(),
            integration_id=securex.id,
            trigger=Trigger.NIGHTLY,
            status=RunState.SUCCESS,
            new_to_review=3,
        )
        db.session.add(run)
        db.session.commit()
        body = summary.body(summary.summarise(run))
    assert "up to date" not in body and "3 new employees wait for your review" in body


# --- The first sync, by its run's state -------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (RunState.QUEUED, "The first sync is waiting for a free worker."),
        (RunState.RUNNING, "The first sync has started."),
        (RunState.SUCCESS, "The first sync has finished: Success."),
        (RunState.PARTIAL, "The first sync has finished: Partial."),
    ],
)
def test_the_first_sync_is_announced_by_what_its_run_is_doing(app, state, said):
    from portal.web.activation import first_sync_message

    with app.test_request_context():
        assert first_sync_message("Securex", SyncRun(status=state)) == f"Securex is active. {said}"


# --- The selection window, in alphabetical order ----------------------------------------------


def test_sort_key_orders_as_a_reader_does_not_by_code_point():
    names = ["Zoë Maes", "Élodie Dubois", "de Jong", "Anaïs Lefèvre", "bram Peeters", "Öztürk", "Emma"]
    assert sorted(names, key=sort_key) == [
        "Anaïs Lefèvre",
        "bram Peeters",
        "de Jong",
        "Élodie Dubois",
        "Emma",
        "Öztürk",
        "Zoë Maes",
    ]


def test_the_selection_window_lists_people_alphabetically(app, client, auth, make_available):
    make_available("securex")
    with app.app_context():
        integration = integration_of("securex")
        integration.state = IntegrationState.ACTIVE
        integration.sync_mode = SyncMode.SELECTIVE
        integration.provider_company_id = "C001"
        for n, name in enumerate(["Zoë Maes", "Élodie Dubois", "de Jong", "Anaïs Lefèvre", "Bram Peeters"]):
            db.session.add(
                SelectionEntry(
                    tenant_id=integration.tenant_id,
                    integration_id=integration.id,
                    provider_id=f"C001-{n}",
                    selection=Selection.PARKED,
                    display_name=name,
                )
            )
        db.session.commit()
    auth.login()
    page = client.get("/integrations/securex/selection").get_data(as_text=True)
    shown = [name for name in ["Anaïs Lefèvre", "Bram Peeters", "de Jong", "Élodie Dubois", "Zoë Maes"] if name in page]
    assert sorted(shown, key=page.index) == ["Anaïs Lefèvre", "Bram Peeters", "de Jong", "Élodie Dubois", "Zoë Maes"]
