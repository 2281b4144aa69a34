"""Liantis sandbox: MyLiantis login and consent, then a bearer-protected, slow API.

The seeds' rules it reproduces: consent is given once, only by a main user of the
company (anyone else is refused, and Flexsync hears `access_denied` /
`not_main_user`); the API pages by cursor and can be made slow; wage codes are
predefined by Liantis. Quirk: languages come in upper case ("NL", "FR").
"""

from __future__ import annotations

import base64
import binascii
import secrets
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import current_token
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AccessDeniedError
from flask import (
    Blueprint,
    Flask,
    jsonify,
    redirect,
    render_template_string,
    request,
    session,
)
from stdnum.be import vat as be_vat

from sandbox.common import (
    EMPLOYEE_PAGE_ENDPOINT,
    BadQueryArgument,
    DatasetFactory,
    SandboxState,
    dataset_factory,
    employee_page_blueprint,
    install_request_faults,
    int_arg,
    json_error,
    loopback_only,
    new_app,
    page_response,
    sandbox_state,
    serve_page,
)
from sandbox.liantis_oauth import (
    OAuthStore,
    ProviderUser,
    RegisteredClient,
    create_authorization_server,
    create_resource_protector,
)

DEFAULT_CLIENT_ID = "flexsync"
DEFAULT_CLIENT_SECRET = "flexsync-sandbox-secret"
DEFAULT_REDIRECT_URIS = ("http://127.0.0.1:5000/integrations/liantis/callback",)
MAX_PAGE_SIZE = 100
SHARED_DATA = (
    "Personal data: first name, last name, e-mail, language, start date, employee number",
    "Wage contracts: wage type, gross salary, start and end date, work regime, employer social security %",
    "Predefined wage codes",
)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>MyLiantis (sandbox) – {{ title }}</title></head><body>
<h1>MyLiantis <small>sandbox</small></h1><h2>{{ title }}</h2>{{ body }}</body></html>"""

LOGIN = """{% if problem %}<p role="alert">{{ problem }}</p>{% endif %}
<form method="post" action="/login">
<input type="hidden" name="next" value="{{ next_url }}">
<fieldset><legend>Who are you? (sandbox login: pick a user)</legend>
{% for user in users %}<label><input type="radio" name="login" value="{{ user.login }}">
 {{ user.name }} ({{ user.login }}) – {{ user.company_name }}
 {% if user.main_user %}<strong>main user</strong>{% endif %}</label><br>{% endfor %}
</fieldset>
<label>…or type a login <input name="typed_login"></label>
<button type="submit">Log in</button></form>"""

CONSENT = """<p>Logged in as {{ user.name }} ({{ user.login }}), main user of
<strong>{{ company_name }}</strong>. <a id="not-you" href="/logout?next={{ next_url|urlencode }}">Not you?</a></p>
<p><strong>Flexsync</strong> asks to read the following data of {{ company_name }}:</p>
<ul>{% for item in shared %}<li>{{ item }}</li>{% endfor %}</ul>
<form method="post" action="{{ next_url }}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></form>"""

REFUSAL = """<p role="alert">{{ user.name }} ({{ user.login }}) is not a main user of
{{ company_name }}. Only a main user registered in MyLiantis can give consent to share
data with Flexsync. Ask your main user to activate the integration.</p>
<p>Logged in as {{ user.name }} ({{ user.login }}). <a id="not-you" href="/logout?next={{ next_url|urlencode }}">Not you?</a>
Log out of MyLiantis and log in as the main user.</p>
<p><a id="back" href="{{ back_url }}">Back to Flexsync</a></p>"""


def create_app(
    make_dataset: DatasetFactory | None = None,
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    redirect_uris: list[str] | tuple[str, ...] = DEFAULT_REDIRECT_URIS,
    token_ttl_s: int = 3600,
    refresh_ttl_s: int = 30 * 24 * 3600,
    slow_ms: int = 0,
    faults: dict | None = None,
    max_hang_s: float = 30.0,
) -> Flask:
    initial_faults = {"page_latency_ms": slow_ms, **(faults or {})}
    state = SandboxState("liantis", make_dataset or dataset_factory(), initial_faults, max_hang_s)
    app = new_app(__name__, state)
    app.secret_key = secrets.token_hex(32)
    store = OAuthStore(RegisteredClient(client_id, client_secret, list(redirect_uris)), token_ttl_s, refresh_ttl_s)

    def current_ttl() -> int:
        return int(state.faults.get("token_ttl_s", token_ttl_s))

    server = create_authorization_server(app, store, current_ttl)
    app.register_blueprint(myliantis_blueprint(server))
    app.register_blueprint(api_blueprint(create_resource_protector(store)))
    app.register_blueprint(grant_admin_blueprint(store))
    # MyLiantis's page of one person in the payroll (the connector's `edit_path`).
    app.register_blueprint(employee_page_blueprint("/myliantis/personnel/<employee_id>", "MyLiantis"))
    install_request_faults(
        app,
        page_endpoints={"liantis_api.employees"},
        exempt_endpoints=frozenset({"myliantis.login", "myliantis.logout", "myliantis.authorize", EMPLOYEE_PAGE_ENDPOINT}),
    )
    return app


def all_users() -> list[dict]:
    return [
        {**user, "company_id": company["id"], "company_name": company["name"]}
        for company in sandbox_state().dataset.companies
        for user in company.get("users", [])
    ]


def logged_in_user() -> ProviderUser | None:
    login = session.get("login")
    match = next((u for u in all_users() if u["login"] == login), None)
    if match is None:
        return None
    return ProviderUser(match["login"], match["name"], match["main_user"], match["company_id"])


def myliantis_blueprint(server) -> Blueprint:
    pages = Blueprint("myliantis", __name__)

    @pages.route("/login", methods=["GET", "POST"])
    def login():
        next_url = authorize_request(request.values.get("next"))
        if request.method == "GET":
            return login_page(next_url)
        wanted = (request.form.get("typed_login") or request.form.get("login") or "").strip()
        if not any(u["login"] == wanted for u in all_users()):
            return login_page(next_url, "Unknown MyLiantis user."), 400
        session["login"] = wanted
        return redirect(next_url)

    @pages.get("/logout")
    def logout():
        """ "Not you?": out of MyLiantis, back to its login, with the same authorize request
        so that whoever logs in next continues the consent Flexsync asked for."""
        session.pop("login", None)
        return redirect(f"/login?{urlencode({'next': authorize_request(request.args.get('next'))})}")

    @pages.route("/oauth/authorize", methods=["GET", "POST"])
    def authorize():
        user = logged_in_user()
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        if user is None:
            return redirect(f"/login?{urlencode({'next': request.full_path})}")
        if not user.main_user:
            return refusal(server, grant, user)
        if request.method == "GET":
            return consent_page(user)
        granted = user if request.form.get("decision") == "allow" else None
        return server.create_authorization_response(grant=grant, grant_user=granted)

    @pages.post("/oauth/token")
    def issue_token():
        return server.create_token_response()

    @pages.post("/oauth/revoke")
    def revoke_token():
        return server.create_endpoint_response("revocation")

    return pages


def authorize_request(next_url: str | None) -> str:
    """Where login and logout send the browser on: only ever the authorize endpoint."""
    return next_url if next_url and next_url.startswith("/oauth/authorize") else "/oauth/authorize"


def company_name(company_id: str) -> str:
    return sandbox_state().dataset.company(company_id)["name"]


def render_page(title: str, body_template: str, **context) -> str:
    # One template for layout and body: everything is escaped once, by autoescaping,
    # with no Markup() around already-rendered HTML.
    return render_template_string(PAGE.replace("{{ body }}", body_template), title=title, **context)


def login_page(next_url: str, problem: str | None = None) -> str:
    return render_page("Log in", LOGIN, users=all_users(), next_url=next_url, problem=problem)


def consent_page(user: ProviderUser) -> str:
    return render_page(
        "Give consent",
        CONSENT,
        user=user,
        shared=SHARED_DATA,
        company_name=company_name(user.company_id),
        next_url=request.full_path,
    )


def refusal(server, grant, user: ProviderUser):
    """Refuse a non-main user: a page on GET, the redirect back to Flexsync on POST."""
    error = AccessDeniedError(description="not_main_user", redirect_uri=grant.redirect_uri, state=grant.request.payload.state)
    _, _, headers = error()
    back_url = dict(headers)["Location"]
    if request.method == "POST":
        return redirect(back_url)
    page = render_page(
        "Consent refused",
        REFUSAL,
        user=user,
        back_url=back_url,
        company_name=company_name(user.company_id),
        next_url=request.full_path,
    )
    return page, 403


def grant_admin_blueprint(store: OAuthStore) -> Blueprint:
    admin = Blueprint("grant_admin", __name__, url_prefix="/_admin/oauth")
    admin.before_request(loopback_only)

    @admin.post("/expire-tokens")
    def expire_tokens():
        return jsonify({"expired": store.expire_access_tokens()})

    @admin.post("/revoke-grants")
    def revoke_grants():
        return jsonify({"revoked": store.revoke_all()})

    return admin


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, offset = base64.urlsafe_b64decode(padded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise BadQueryArgument("invalid cursor") from error
    if kind != "offset" or not offset.isdigit():
        raise BadQueryArgument("invalid cursor")
    return int(offset)


def api_blueprint(require_oauth) -> Blueprint:
    api = Blueprint("liantis_api", __name__, url_prefix="/api")

    def consented_company(company_id: str):
        """The company the token may read, or the refusal to send."""
        company = sandbox_state().dataset.company(company_id)
        if company is None:
            return None, json_error(404, "company_not_found", "No Liantis company with this id.")
        if current_token.company_id != company["id"]:
            return None, json_error(403, "no_consent", "No consent was given for this company.")
        return company, None

    @api.get("/companies")
    @require_oauth()
    def company_by_vat():
        vat = request.args.get("vat", "").strip()
        if not vat:
            return json_error(400, "missing_vat", "Pass the company VAT number as ?vat=.")
        if not be_vat.is_valid(vat):
            return json_error(400, "invalid_vat", "Not a valid Belgian VAT number.")
        found = sandbox_state().dataset.company_by_vat(vat)
        if found is None:
            return json_error(404, "company_not_found", "No Liantis company with this VAT number.")
        company, refusal_response = consented_company(found["id"])
        if refusal_response is not None:
            return refusal_response
        return jsonify({"company_id": company["id"], "name": company["name"], "vat_number": company["vat"]})

    @api.get("/companies/<company_id>/employees")
    @require_oauth()
    def employees(company_id: str):
        company, refusal_response = consented_company(company_id)
        if refusal_response is not None:
            return refusal_response
        limit = int_arg("limit", 25, maximum=MAX_PAGE_SIZE)
        cursor = request.args.get("cursor")
        start = decode_cursor(cursor) if cursor else 0
        served = serve_page(sandbox_state(), company, start, limit)
        payload = {
            "data": [employee_json(e) for e in served.items],
            "next_cursor": encode_cursor(served.next_start) if served.next_start is not None else None,
            "has_more": served.next_start is not None,
        }
        return page_response(payload, served.malformed_json)

    @api.get("/companies/<company_id>/wage-codes")
    @require_oauth()
    def wage_codes(company_id: str):
        _company, refusal_response = consented_company(company_id)
        if refusal_response is not None:
            return refusal_response
        return jsonify({"data": sandbox_state().dataset.wage_codes})

    return api


def employee_json(employee: dict) -> dict:
    language = employee.get("language")
    return {
        "id": employee["id"],
        "payroll_id": employee.get("employee_number"),
        "first_name": employee["first_name"],
        "last_name": employee["last_name"],
        "email": employee.get("email"),
        "language": language.upper() if language else None,
        "start_date": employee.get("start_date"),
        "entity_id": employee["entity_id"],
        "wage_contracts": [contract_json(c) for c in employee["contracts"]],
    }


def contract_json(contract: dict) -> dict:
    return {
        key: contract.get(key)
        for key in (
            "id",
            "wage_type",
            "gross_amount",
            "start_date",
            "end_date",
            "worker_class",
            "work_regime_pct",
            "weekly_hours",
            "employer_social_security_pct",
            "wage_code",
            "entity_id",
        )
    }
