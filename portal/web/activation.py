"""The activation wizards: connect, configure, choose the sync mode, preview the first sync, and the Liantis consent.

Each step posts to its own URL and answers with the next step: the step fragment for
htmx, the whole wizard page otherwise. Which step is shown is read from what is
stored (see `portal.integrations.activation.current_step`), so "retry after fixing" never starts over.
"""

from __future__ import annotations

import enum
from typing import Any

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.extensions import htmx, oauth
from portal.integrations import activation, connectors
from portal.integrations.activation import ActivationFailed, Step
from portal.models import Integration, IntegrationState, RunState, SyncRun
from portal.providers.base import Provider
from portal.sync.state import SyncMode
from portal.texts.labels import label
from portal.texts.providers import PROVIDERS
from portal.web.access import current_tenant, hr_admin_required
from portal.web.integration_forms import (
    TokenForm,
    connexie_form,
    connexie_settings,
    hris_form,
    hris_settings,
    mode_form,
    venue_fields,
)
from portal.web.navigation import available_integration_or_404, go_to
from portal.web.previews import preview_context

bp = Blueprint("activation", __name__, url_prefix="/integrations")

# The names in the wizard's step indicator.
STEP_NAMES = {
    Step.CONNECT: _l("Connect"),
    Step.CONFIGURE: _l("Configure"),
    Step.MODE: _l("Sync mode"),
    Step.PREVIEW: _l("Preview"),
}


class ConsentProblem(enum.StrEnum):
    """Why MyLiantis sent the admin back without a usable consent."""

    DENIED = "denied"
    NOT_MAIN_USER = "not_main_user"
    STATE = "state"
    PROVIDER = "provider"


def wizard_integration_or_404(provider: str) -> Integration:
    integration = available_integration_or_404(provider)
    if integration.state not in (IntegrationState.AVAILABLE, IntegrationState.RECONNECT_NEEDED):
        # Already set up: its settings tab is the place to change it.
        abort(redirect(url_for("integration_settings.show", provider=provider)))
    return integration


def render_step(integration: Integration, status: int = 200, **context: Any):
    step = context.pop("step", None) or activation.current_step(integration)
    steps = {"steps": activation.wizard_steps(integration), "step_names": STEP_NAMES}
    context |= {"integration": integration, "step": step, "tenant": current_tenant()} | steps
    context |= step_forms(integration, step, context)
    template = "activation/_step.html" if htmx else "activation/wizard.html"
    return render_template(template, swapped=bool(htmx), **context), status


def step_forms(integration: Integration, step: Step, context: dict[str, Any]) -> dict[str, Any]:
    """The form of the step, unless the route already built one (with its errors)."""
    if "form" in context:
        return {}
    match step:
        case Step.CONNECT if integration.provider in activation.CONFIGURED_PROVIDERS:
            return {"form": TokenForm()}
        case Step.CONFIGURE:
            return configure_context(integration)
        case Step.MODE:
            return {"form": mode_form(activation.allowed_modes(current_tenant()), integration.sync_mode)}
        case Step.PREVIEW:
            return preview_context(integration)
    return {}


def configure_context(integration: Integration) -> dict[str, Any]:
    """Asks the provider for its venues, codes or entities; a failure becomes the step's problem."""
    tenant = current_tenant()
    try:
        if integration.provider is Provider.CONNEXIE:
            venues = activation.provider_choices(integration, tenant, "venues")
            codes = [
                c
                for call in ("hour_codes", "wage_codes")
                for c in activation.provider_choices(integration, tenant, call)
                if c.active
            ]
            entities = activation.company_entities()
            form = connexie_form(venues, entities, codes, integration.settings or {})
            return {
                "form": form,
                "venues": venues,
                "venue_fields": venue_fields(form, venues),
                "codes": codes,
                "entities": entities,
            }
        entities = activation.provider_choices(integration, tenant, "entities")
        return {"form": hris_form(entities, integration.settings or {}), "provider_entities": entities}
    except ActivationFailed as failed:
        return {"problem": failed.problem, "form": None}


def after_connect(integration: Integration):
    if activation.connected(integration):
        flash(_l("Connected again: the nightly sync resumes with your settings."), "success")
        return go_to(url_for("integrations.index"))
    return redirect(url_for("activation.wizard", provider=integration.provider.value))


@bp.get("/<provider>/activate")
@hr_admin_required
def wizard(provider: str):
    integration = wizard_integration_or_404(provider)
    back_to_configure = request.args.get("step") == Step.CONFIGURE and activation.current_step(integration) is Step.MODE
    if back_to_configure and integration.provider in activation.CONFIGURED_PROVIDERS:
        # Back from the preview: the configuration as saved, to change before the mode again.
        return render_step(integration, step=Step.CONFIGURE)
    return render_step(integration)


@bp.post("/<provider>/activate/connect")
@hr_admin_required
def connect(provider: str):
    integration = wizard_integration_or_404(provider)
    tenant = current_tenant()
    match integration.provider:
        case Provider.LIANTIS:
            return start_consent(integration)
        case Provider.SECUREX:
            secret = None
        case _:
            form = TokenForm()
            if not form.validate_on_submit():
                return render_step(integration, step=Step.CONNECT, form=form)
            secret = {"api_token": form.api_token.data.strip()}
    try:
        activation.find_company(integration, tenant, current_user, secret)
    except ActivationFailed as failed:
        return render_step(integration, step=Step.CONNECT, problem=failed.problem)
    return after_connect(integration)


def first_sync_message(name: str, run: SyncRun) -> str:
    """What the admin is told of the first sync: what its run is doing now, not what it
    did when it was queued (a small company's first sync ends before the next page)."""
    if run.status is RunState.QUEUED:
        return _("%(provider)s is active. The first sync is waiting for a free worker.", provider=name)
    if run.status is RunState.RUNNING:
        return _("%(provider)s is active. The first sync has started.", provider=name)
    return _("%(provider)s is active. The first sync has finished: %(status)s.", provider=name, status=label(run.status))


def liantis_client():
    consent = connectors.consent_settings(Provider.LIANTIS, current_app.config)
    client = oauth.create_client("liantis") or oauth.register(
        "liantis",
        client_id=consent.client_id,
        client_secret=consent.client_secret,
        client_kwargs={"scope": consent.scope, "code_challenge_method": "S256"},
    )
    # Read at every use, not at start: `make run` and the tests point Liantis at a sandbox.
    client.authorize_url = consent.authorize_url
    client.access_token_url = consent.token_url
    return client


def start_consent(integration: Integration):
    # The VAT number is checked before sending the admin away: a consent that cannot be
    # used afterwards would only have to be given again.
    try:
        activation.company_vat(current_tenant())
    except ActivationFailed as failed:
        return render_step(integration, step=Step.CONNECT, problem=failed.problem)
    callback = url_for("activation.liantis_callback", _external=True)
    return go_to(liantis_client().authorize_redirect(callback).headers["Location"])


def consent_refused(integration: Integration, problem: str):
    return render_step(integration, step=Step.CONNECT, consent_problem=problem)


def callback_problem() -> str | None:
    error = request.args.get("error")
    if error is None:
        return None
    # The state of this attempt is used up even when MyLiantis answers with an error.
    liantis_client().framework.clear_state_data(session, request.args.get("state"))
    if error == "access_denied":
        refused_as = request.args.get("error_description")
        return ConsentProblem.NOT_MAIN_USER if refused_as == "not_main_user" else ConsentProblem.DENIED
    current_app.logger.warning("MyLiantis answered the consent with error=%s (%s)", error, request.args.get("error_description"))
    return ConsentProblem.PROVIDER


@bp.get("/liantis/callback")
@hr_admin_required
def liantis_callback():
    integration = wizard_integration_or_404(Provider.LIANTIS.value)
    problem = callback_problem()
    if problem is not None:
        return consent_refused(integration, problem)
    try:
        token = liantis_client().authorize_access_token()
    except MismatchingStateError:
        return consent_refused(integration, ConsentProblem.STATE)
    except OAuthError as error:
        current_app.logger.warning("Liantis token exchange refused: %s", error)
        return consent_refused(integration, ConsentProblem.PROVIDER)
    activation.store_consent(integration, token)
    return look_up_company(integration)


def look_up_company(integration: Integration):
    try:
        activation.find_company(integration, current_tenant(), current_user)
    except ActivationFailed as failed:
        return render_step(integration, step=Step.FIND_COMPANY, problem=failed.problem)
    return after_connect(integration)


@bp.post("/<provider>/activate/find-company")
@hr_admin_required
def find_company(provider: str):
    integration = wizard_integration_or_404(provider)
    if activation.current_step(integration) is not Step.FIND_COMPANY:
        abort(404)
    return look_up_company(integration)


@bp.post("/<provider>/activate/configure")
@hr_admin_required
def configure(provider: str):
    integration = wizard_integration_or_404(provider)
    if integration.provider not in activation.CONFIGURED_PROVIDERS or integration.provider_company_id is None:
        abort(404)
    context = configure_context(integration)
    form = context.get("form")
    if form is None or not form.validate_on_submit():
        return render_step(integration, step=Step.CONFIGURE, **context)
    activation.save_settings(integration, chosen_settings(integration, form, context), current_user, listed(context))
    return redirect(url_for("activation.wizard", provider=provider))


def chosen_settings(integration: Integration, form, context: dict[str, Any]) -> dict[str, Any]:
    if integration.provider is Provider.CONNEXIE:
        return connexie_settings(form, context["venues"])
    return hris_settings(form)


def listed(context: dict[str, Any]) -> list[Any]:
    """What the configure step listed of the provider's: Connexie's venues, the HR system's entities."""
    return context.get("venues") or context.get("provider_entities") or []


@bp.post("/<provider>/activate/mode")
@hr_admin_required
def choose_mode(provider: str):
    integration = wizard_integration_or_404(provider)
    if activation.current_step(integration) is not Step.MODE:
        abort(404)
    form = mode_form(activation.allowed_modes(current_tenant()))
    if not form.validate_on_submit():
        return render_step(integration, step=Step.MODE, form=form)
    activation.choose_mode(integration, SyncMode(form.mode.data))
    return redirect(url_for("activation.wizard", provider=provider))


def preview_step_integration_or_404(provider: str) -> Integration:
    integration = wizard_integration_or_404(provider)
    if activation.current_step(integration) is not Step.PREVIEW:
        abort(404)
    return integration


@bp.post("/<provider>/activate/back")
@hr_admin_required
def back_to_settings(provider: str):
    integration = preview_step_integration_or_404(provider)
    activation.back_to_settings(integration)
    configured = integration.provider in activation.CONFIGURED_PROVIDERS
    return redirect(url_for("activation.wizard", provider=provider, step=Step.CONFIGURE.value if configured else None))


@bp.post("/<provider>/activate/start")
@hr_admin_required
def start_first_sync(provider: str):
    integration = preview_step_integration_or_404(provider)
    name = PROVIDERS[integration.provider].name
    run = activation.finish(integration, current_user)
    if run is not None:
        flash(first_sync_message(name, run), "success")
    else:
        flash(
            _l(
                "%(provider)s is active. The first sync could not start yet: the sync service is unavailable. Press Sync now in a minute, or wait for the nightly sync.",  # noqa: E501 - one message id
                provider=name,
            ),
            "warning",
        )
    if integration.sync_mode is SyncMode.SELECTIVE:
        # The first sync fills the selection window: that is where the admin picks who is synced.
        flash(
            _l("Everyone %(provider)s lists appears below once the first sync has ended: then tick whom to sync.", provider=name),
            "success",
        )
        return go_to(url_for("integration_settings.selection_window", provider=provider))
    return go_to(url_for("integrations.index"))
