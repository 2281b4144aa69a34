"""Generic HR system sandbox (Payhawk-style rules): an API key per company, entities,
and employees paged by offset/limit with phone numbers and an `excluded` flag.

People removed at the provider simply stop appearing; e-mail and phone changes arrive
through scheduled changes (`POST /_admin/advance`). Quirk: the fields are called
`work_email` and `phone_number`, and contracts sit under `employments`.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, g, jsonify, request

from sandbox.common import (
    EMPLOYEE_PAGE_ENDPOINT,
    DatasetFactory,
    SandboxState,
    bearer_token,
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

MAX_LIMIT = 500


def create_app(make_dataset: DatasetFactory | None = None, *, faults: dict | None = None, max_hang_s: float = 30.0) -> Flask:
    state = SandboxState("hris", make_dataset or dataset_factory(), faults, max_hang_s)
    app = new_app(__name__, state)
    app.register_blueprint(api_blueprint())
    # The HR system's page of one person (the connector's `edit_path`).
    app.register_blueprint(employee_page_blueprint("/people/<employee_id>", "HR system"))
    install_request_faults(app, page_endpoints={"hris.employees"}, exempt_endpoints=frozenset({EMPLOYEE_PAGE_ENDPOINT}))
    return app


def api_blueprint() -> Blueprint:
    api = Blueprint("hris", __name__, url_prefix="/v1")

    @api.before_request
    def require_api_key():
        # Both styles are in use by HR systems; accept either.
        key = bearer_token() or request.headers.get("X-Api-Key", "")
        company = next(
            (
                c
                for c in sandbox_state().dataset.companies
                if c.get("api_key") and secrets.compare_digest(c["api_key"].encode(), key.encode())
            ),
            None,
        )
        if company is None:
            return json_error(401, "unauthorized", "Send a valid API key (Bearer or X-Api-Key).")
        g.hris_company = company
        return None

    @api.get("/entities")
    def entities():
        return jsonify({"data": g.hris_company["entities"]})

    @api.get("/employees")
    def employees():
        company = g.hris_company
        offset = int_arg("offset", 0, minimum=0)
        limit = int_arg("limit", 100, maximum=MAX_LIMIT)
        served = serve_page(sandbox_state(), company, offset, limit, updated_since_arg())
        payload = {
            "data": [employee_json(e) for e in served.items],
            "paging": {"offset": offset, "limit": limit, "total": served.total, "next_offset": served.next_start},
            "as_of": served.as_of,
        }
        return page_response(payload, served.malformed_json)

    return api


def employee_json(employee: dict) -> dict:
    return {
        "id": employee["id"],
        "employee_number": employee.get("employee_number"),
        "first_name": employee["first_name"],
        "last_name": employee["last_name"],
        "work_email": employee.get("email"),
        "phone_number": employee.get("phone"),
        "language": employee.get("language"),
        "start_date": employee.get("start_date"),
        "entity_id": employee["entity_id"],
        "excluded": bool(employee.get("excluded")),
        "employments": [
            {
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
                    "entity_id",
                )
            }
            for contract in employee["contracts"]
        ],
        "updated_at": updated_at(employee),
    }
