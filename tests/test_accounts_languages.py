"""Every page of logins and access answers in Dutch, French and English."""

from __future__ import annotations

import re

import pytest

from helpers.logins import AuthActions
from helpers.pages import csrf_token_from

PUBLIC = ("/login", "/account/forgot-password", "/account/password/1/no-such-link")
STAFF = ("/cs/companies/new", "/cs/tenants/{tenant_id}/access", "/account", "/account/change-password", "/two-factor/setup")
HR_ADMIN = ("/company/admins", "/account")


def in_language(client, language: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"language": language, "csrf_token": token})


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_access_page_answers_in_the_chosen_language(app, client, other_client, language):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Tenant

    with app.app_context():
        tenant_id = db.session.execute(select(Tenant.id).where(Tenant.name == "Demo NV")).scalar_one()
    in_language(client, language)
    for path in PUBLIC:
        response = client.get(path)
        assert response.status_code in (200, 404) and f'<html lang="{language}">' in response.get_data(as_text=True), path
    AuthActions(client).login("cs@flexsync.test")
    for path in STAFF:
        body = client.get(path.format(tenant_id=tenant_id)).get_data(as_text=True)
        assert f'<html lang="{language}">' in body and re.search(r"<h1>\s*\S", body), path
    in_language(other_client, language)
    AuthActions(other_client).login("hr@demo.test")
    for path in HR_ADMIN:
        response = other_client.get(path)
        assert response.status_code == 200 and f'<html lang="{language}">' in response.get_data(as_text=True), path
