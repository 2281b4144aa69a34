"""The admin keeps the company VAT number right: Securex and Liantis find the company by it."""

import pytest

from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.models import Tenant


def save_company(client, **fields):
    token = csrf_token_from(client.get("/company").get_data(as_text=True))
    data = {"name": "Demo NV", "vat_number": "", "default_language": "nl", "csrf_token": token} | fields
    return client.post("/company", data=data, follow_redirects=True)


def demo_vat(app):
    with app.app_context():
        return db.session.execute(db.select(Tenant.vat_number).where(Tenant.name == "Demo NV")).scalar_one()


def test_a_vat_number_is_saved_normalised(app, client, auth):
    auth.login()
    page = save_company(client, vat_number="be 0403.170.701").get_data(as_text=True)
    assert "Company details saved." in page
    assert demo_vat(app) == "BE0403170701"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("BE012345674", "10 digits after BE"),
        ("BE01234567AB", "10 digits after BE"),
        ("BE0123456748", "check digits do not match"),
    ],
)
def test_a_bad_vat_number_is_refused_with_the_reason(app, client, auth, typed, message):
    auth.login()
    response = save_company(client, vat_number=typed)
    assert message in response.get_data(as_text=True)
    assert demo_vat(app) == "BE0123456749"


def test_the_vat_message_is_translated(client, auth):
    auth.login()
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"language": "nl", "csrf_token": token})
    page = save_company(client, vat_number="BE0123456748").get_data(as_text=True)
    assert "controlecijfers" in page


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(app, client, auth):
    auth.login()
    response = client.post("/company", data={"name": "Hacked", "vat_number": "", "default_language": "en"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(Tenant).where(Tenant.name == "Hacked")).first() is None


def test_an_htmx_post_with_the_csrf_header_is_accepted(client, auth):
    auth.login()
    token = csrf_token_from(client.get("/company").get_data(as_text=True))
    response = client.post(
        "/company",
        data={"name": "Demo NV", "vat_number": "BE0123456749", "default_language": "fr"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 302
