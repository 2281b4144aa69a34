"""Connexie sandbox: an API token per account, venues, wage and hour codes, team
members with flex / fixed-hours contracts, and the import of worked hours.

The hours import is keyed by `export_key`: posting the same key again replaces that
export's lines, never adds to them, because a second export of a period re-sends
everything and must not double-post (seed: "you will need to export all data again").
"""

from __future__ import annotations

import math
import secrets
import time
from datetime import date
from decimal import Decimal, InvalidOperation

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
)

MAX_PAGE_SIZE = 100
LINE_TYPES = ("worked_hours", "meal", "allowance")


def create_app(
    make_dataset: DatasetFactory | None = None,
    *,
    codes_inactive: bool = False,
    faults: dict | None = None,
    max_hang_s: float = 30.0,
) -> Flask:
    initial_faults = {"codes_inactive": codes_inactive, **(faults or {})}
    state = SandboxState("connexie", make_dataset or dataset_factory(), initial_faults, max_hang_s)
    app = new_app(__name__, state)
    app.register_blueprint(api_blueprint())
    # Connexie's edit page of one team member (the connector's `edit_path`).
    app.register_blueprint(employee_page_blueprint("/team/<employee_id>/edit", "Connexie"))
    install_request_faults(app, page_endpoints={"connexie.team_members"}, exempt_endpoints=frozenset({EMPLOYEE_PAGE_ENDPOINT}))
    return app


def account() -> dict:
    return g.connexie_account


def codes(kind: str) -> list[dict]:
    """Wage or hour codes; with `codes_inactive` none is activated yet at Connexie."""
    state = sandbox_state()
    listed = state.dataset.wage_codes if kind == "wage" else state.dataset.hour_codes
    if state.faults.get("codes_inactive"):
        return [{**code, "active": False} for code in listed]
    return listed


def api_blueprint() -> Blueprint:
    api = Blueprint("connexie", __name__, url_prefix="/api")

    @api.before_request
    def require_token():
        token = bearer_token() or ""
        company = next(
            (
                c
                for c in sandbox_state().dataset.companies
                if c.get("api_token") and secrets.compare_digest(c["api_token"].encode(), token.encode())
            ),
            None,
        )
        if company is None:
            return json_error(401, "invalid_token", "The API token is missing, wrong or revoked.")
        g.connexie_account = company
        return None

    @api.get("/venues")
    def venues():
        return jsonify({"venues": account()["entities"]})

    @api.get("/wage-codes")
    def wage_codes():
        return jsonify({"wage_codes": codes("wage")})

    @api.get("/hour-codes")
    def hour_codes():
        return jsonify({"hour_codes": codes("hour")})

    @api.get("/team-members")
    def team_members():
        company = account()
        page = int_arg("page", 1)
        page_size = int_arg("page_size", 50, maximum=MAX_PAGE_SIZE)
        served = serve_page(sandbox_state(), company, (page - 1) * page_size, page_size)
        total = len(company["employees"])
        payload = {
            "team_members": [team_member_json(e) for e in served.items],
            "meta": {"page": page, "page_size": page_size, "total_count": total, "total_pages": math.ceil(total / page_size)},
        }
        return page_response(payload, served.malformed_json)

    @api.post("/hours-imports")
    def import_hours():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not str(body.get("export_key") or "").strip():
            return json_error(400, "invalid_import", "Send JSON with an 'export_key' and 'lines'.")
        if not isinstance(body.get("lines"), list):
            return json_error(400, "invalid_import", "'lines' must be a list.")
        with sandbox_state().lock:
            return jsonify(store_import(account(), body))

    @api.get("/hours-imports")
    def list_imports():
        wanted = request.args.get("export_key")
        imports = [i for i in account()["hours_imports"] if wanted in (None, i["export_key"])]
        return jsonify({"imports": imports, "total_lines": sum(len(i["lines"]) for i in imports)})

    return api


def store_import(company: dict, body: dict) -> dict:
    """Replace (never add to) the lines stored under this export key."""
    export_key = body["export_key"].strip()
    members = {e["id"]: e for e in company["employees"]}
    accepted, rejected = [], []
    for index, line in enumerate(body["lines"]):
        reason = line_problem(members, line)
        if reason:
            rejected.append({"index": index, "reason": reason})
        else:
            accepted.append(line)
    previous = next((i for i in company["hours_imports"] if i["export_key"] == export_key), None)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if previous is None:
        previous = {"export_key": export_key, "times_posted": 0, "first_posted_at": now, "lines": []}
        company["hours_imports"].append(previous)
    replaced = len(previous["lines"])
    previous.update(period=body.get("period"), lines=accepted, last_posted_at=now, times_posted=previous["times_posted"] + 1)
    return {
        "export_key": export_key,
        "status": "replaced" if previous["times_posted"] > 1 else "created",
        "lines_received": len(body["lines"]),
        "lines_accepted": len(accepted),
        "lines_rejected": len(rejected),
        "lines_replaced": replaced,
        "rejected": rejected,
    }


def line_problem(members: dict[str, dict], line) -> str | None:
    """Why Connexie refuses one hours line, or None when it is booked."""
    if not isinstance(line, dict):
        return "not_an_object"
    member = members.get(line.get("team_member_id"))
    if member is None:
        return "unknown_team_member"
    try:
        day = date.fromisoformat(str(line.get("date")))
        quantity = Decimal(str(line.get("quantity")))
    except (ValueError, InvalidOperation):
        return "bad_date_or_quantity"
    if line.get("type") not in LINE_TYPES:
        return "unknown_type"
    if not quantity.is_finite() or quantity <= 0:
        return "bad_date_or_quantity"
    if not has_flex_contract_on(member, day):
        # Only zero-hour (flex) contracts get hours from the planning tool.
        return "no_active_flex_contract"
    return code_problem(line)


def has_flex_contract_on(member: dict, day: date) -> bool:
    iso = day.isoformat()
    return any(
        c["contract_type"] == "flex" and c["start_date"] <= iso and (c.get("end_date") is None or iso <= c["end_date"])
        for c in member["contracts"]
    )


def code_problem(line: dict) -> str | None:
    code = line.get("code")
    if code is None:
        return "code_required" if line["type"] != "worked_hours" else None
    active = {c["code"] for c in codes("wage") + codes("hour") if c["active"]}
    return None if code in active else "code_not_active"


def team_member_json(employee: dict) -> dict:
    return {
        "id": employee["id"],
        "employee_number": employee.get("employee_number"),
        "first_name": employee["first_name"],
        "last_name": employee["last_name"],
        "email": employee.get("email"),
        "language": employee.get("language"),
        "phone": employee.get("phone"),
        "venue_id": employee["entity_id"],
        "contracts": [contract_json(c) for c in employee["contracts"]],
    }


def contract_json(contract: dict) -> dict:
    return {
        "id": contract["id"],
        "contract_type": contract.get("contract_type"),
        "wage_type": contract["wage_type"],
        "gross_amount": contract["gross_amount"],
        "start_date": contract["start_date"],
        "end_date": contract.get("end_date"),
        "worker_class": contract["worker_class"],
        "weekly_hours": contract.get("weekly_hours"),
        "work_regime_pct": contract.get("work_regime_pct"),
        "employer_social_security_pct": contract.get("employer_social_security_pct"),
        "wage_code": contract.get("wage_code"),
        "venue_id": contract.get("entity_id"),
    }
