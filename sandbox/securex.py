"""Securex sandbox: a static client API key, company lookup by VAT, numbered pages.

Quirks kept from the real thing: amounts are JSON numbers (not strings), the entity
is an embedded object, and a company Securex has not opened for Flexsync answers 403
"integration not available" rather than 404.
"""

from __future__ import annotations

import math
import secrets

from flask import Blueprint, Flask, jsonify, request
from stdnum.be import vat as be_vat

from sandbox.common import (
    EMPLOYEE_PAGE_ENDPOINT,
    DatasetFactory,
    SandboxState,
    dataset_factory,
    employee_page_blueprint,
    install_request_faults,
    int_arg,
    json_error,
    new_app,
    page_response,
    sandbox_state,
    serve_page,
    updated_since_arg,
)
from sandbox.dataset import updated_at

DEFAULT_API_KEY = "securex-sandbox-key"
MAX_PER_PAGE = 200


def create_app(
    make_dataset: DatasetFactory | None = None,
    *,
    api_key: str = DEFAULT_API_KEY,
    api_key_header: str = "X-Api-Key",
    faults: dict | None = None,
    max_hang_s: float = 30.0,
) -> Flask:
    state = SandboxState("securex", make_dataset or dataset_factory(), faults, max_hang_s)
    app = new_app(__name__, state)
    app.register_blueprint(api_blueprint(api_key, api_key_header))
    # The employer's page of one employee (the connector's `edit_path`).
    app.register_blueprint(employee_page_blueprint("/employer/employees/<employee_id>", "Securex"))
    install_request_faults(app, page_endpoints={"securex.employees"}, exempt_endpoints=frozenset({EMPLOYEE_PAGE_ENDPOINT}))
    return app


def api_blueprint(api_key: str, api_key_header: str) -> Blueprint:
    api = Blueprint("securex", __name__, url_prefix="/api/v1")

    @api.before_request
    def require_api_key():
        given = request.headers.get(api_key_header, "")
        if not secrets.compare_digest(given.encode(), api_key.encode()):
            return json_error(401, "invalid_api_key", f"Send a valid {api_key_header} header.")
        return None

    @api.get("/companies")
    def company_by_vat():
        vat = request.args.get("vat", "").strip()
        if not vat:
            return json_error(400, "missing_vat", "Pass the company VAT number as ?vat=BE0123456749.")
        if not be_vat.is_valid(vat):
            return json_error(400, "invalid_vat", "Not a valid Belgian VAT number.")
        company = sandbox_state().dataset.company_by_vat(vat)
        refusal = company_answer(company)
        return refusal if refusal is not None else jsonify(company_json(company))

    @api.get("/companies/<company_id>/employees")
    def employees(company_id: str):
        state = sandbox_state()
        company = state.dataset.company(company_id)
        refusal = company_answer(company)
        if refusal is not None:
            return refusal
        page = int_arg("page", 1)
        per_page = int_arg("per_page", 50, maximum=MAX_PER_PAGE)
        served = serve_page(state, company, (page - 1) * per_page, per_page, updated_since_arg())
        payload = {
            "items": [employee_json(e, company) for e in served.items],
            "total": served.total,
            "page": page,
            "per_page": per_page,
            "pages": math.ceil(served.total / per_page),
            "as_of": served.as_of,
        }
        return page_response(payload, served.malformed_json)

    return api


def company_answer(company: dict | None):
    """The refusal for a company Flexsync may not read, or None when it may."""
    if company is None:
        return json_error(404, "company_not_found", "No Securex company with this VAT number.")
    if not company.get("integration_available", True):
        return json_error(403, "integration_not_available", "This company has not enabled the Flexsync integration at Securex.")
    return None


def company_json(company: dict) -> dict:
    return {"id": company["id"], "name": company["name"], "vat": company["vat"]}


def as_number(text):
    """Securex sends amounts and percentages as numbers; broken values pass through as-is."""
    try:
        return float(text) if text is not None else None
    except ValueError:
        return text


def employee_json(employee: dict, company: dict) -> dict:
    entities = {e["id"]: e["name"] for e in company["entities"]}
    return {
        "id": employee["id"],
        "employee_number": employee.get("employee_number"),
        "first_name": employee["first_name"],
        "last_name": employee["last_name"],
        "email": employee.get("email"),
        "language": employee.get("language"),
        "start_date": employee.get("start_date"),
        "entity": {"id": employee["entity_id"], "name": entities.get(employee["entity_id"])},
        "wage_contracts": [contract_json(c) for c in employee["contracts"]],
        "updated_at": updated_at(employee),
    }


def contract_json(contract: dict) -> dict:
    return {
        "id": contract["id"],
        "wage_type": contract["wage_type"],
        "gross_amount": as_number(contract["gross_amount"]),
        "start_date": contract["start_date"],
        "end_date": contract.get("end_date"),
        "worker_class": contract["worker_class"],
        "work_regime_pct": as_number(contract["work_regime_pct"]),
        "weekly_hours": as_number(contract.get("weekly_hours")),
        "employer_social_security_pct": as_number(contract.get("employer_social_security_pct")),
        "entity_id": contract.get("entity_id"),
        "wage_code": contract.get("wage_code"),
    }
