"""Every field of every form the activation wizards and the settings tab build, read from
the code that builds them (`portal.web.activation.step_forms`, `portal.web.integration_settings.settings_context`).

`fields_from_code()` runs those builders when the tests are collected, with the provider's
answers (venues, codes, entities) taken from the sandbox dataset the tests serve: a field
added tomorrow becomes a test case of tests/test_settings_matrix.py without anyone listing
it. `fields_of_pages()` runs the same builders against the live sandboxes, so the matrix
can check it missed nothing.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass
from unittest import mock

from flask import Flask
from wtforms import Form as WTForm

from portal.integrations import activation
from portal.models import Integration, IntegrationState, Tenant
from portal.providers.base import Code, Entity, Provider
from portal.sync.state import SyncMode
from sandbox.dataset import generate_dataset


@dataclass(frozen=True)
class FormField:
    provider: Provider
    name: str

    @property
    def id(self) -> str:
        return f"{self.provider.value}-{self.name}"

    @property
    def kind(self) -> str:
        """Fields built one per provider item (`venue_0`, `venue_1`) share one kind: `venue_N`."""
        return re.sub(r"_\d+$", "_N", self.name)


def wizard_steps(provider: Provider) -> list[activation.Step]:
    """The steps the wizard shows for this provider, asked of the wizard itself
    (`current_step`) for every stage of an integration being set up."""
    stages = [
        Integration(provider=provider, state=IntegrationState.AVAILABLE),
        # Liantis: consent given, the company not found yet.
        Integration(provider=provider, state=IntegrationState.AVAILABLE, credentials={"access_token": "x"}),
        Integration(provider=provider, state=IntegrationState.AVAILABLE, provider_company_id="C", settings={}),
        Integration(provider=provider, state=IntegrationState.AVAILABLE, provider_company_id="C", settings={"set": True}),
        Integration(provider=provider, state=IntegrationState.RECONNECT_NEEDED, provider_company_id="C", settings={"set": 1}),
    ]
    steps: list[activation.Step] = []
    for stage in stages:
        step = activation.current_step(stage)
        if step not in steps:
            steps.append(step)
    return steps


def fields_of_pages(integration: Integration) -> list[str]:
    """The fields (CSRF token aside) of every form the wizard's steps and the settings tab
    build for this integration's provider; call inside a request of its company's admin."""
    from portal.web.activation import step_forms
    from portal.web.integration_settings import settings_context

    contexts = [step_forms(integration, step, {}) for step in wizard_steps(integration.provider)]
    contexts.append(settings_context(integration))
    names: list[str] = []
    for context in contexts:
        for form in (value for value in context.values() if isinstance(value, WTForm)):
            names += [field.name for field in form if field.name != "csrf_token" and field.name not in names]
    return names


def fields_from_code(seed: int, company_id: str = "C001") -> list[FormField]:
    """Every provider's form fields, built by the pages' own code while the tests are
    collected: the provider answers as the sandbox of this seed does for the company."""
    dataset = generate_dataset(seed=seed, size=1)
    company = dataset.company(company_id)
    assert company is not None
    places = [Entity(e["id"], e["name"]) for e in company["entities"]]
    answers = {
        "venues": places,
        "entities": places,
        "wage_codes": [Code(c["code"], c["label"], c["active"]) for c in dataset.wage_codes],
        "hour_codes": [Code(c["code"], c["label"], c["active"], c["kind"]) for c in dataset.hour_codes],
    }
    from flask_babel import Babel

    from portal.extensions import db

    # A bare app with an empty database in memory: the pages' code may count things.
    app = Flask(__name__)
    app.config.update(SECRET_KEY="settings-matrix", WTF_CSRF_ENABLED=False, SQLALCHEMY_DATABASE_URI="sqlite://")
    Babel(app)
    db.init_app(app)
    tenant = Tenant(name="Matrix", migrating=False)
    found: list[FormField] = []
    with app.test_request_context(), ExitStack() as stack:
        db.create_all()
        for target in ("portal.web.activation.current_tenant", "portal.web.integration_settings.current_tenant"):
            stack.enter_context(mock.patch(target, lambda: tenant))
        stack.enter_context(mock.patch.object(activation, "provider_choices", lambda _i, _t, call: answers[call]))
        stack.enter_context(mock.patch.object(activation, "company_entities", list))
        for provider in Provider:
            integration = Integration(
                provider=provider,
                state=IntegrationState.ACTIVE,
                sync_mode=SyncMode.FULL,
                provider_company_id=company_id,
                settings={},
            )
            found += [FormField(provider, name) for name in fields_of_pages(integration)]
    return found
