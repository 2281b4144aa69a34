"""What every provider sandbox shares: its state, the admin endpoints, request faults
and the page-serving rules. Provider modules only add their auth and JSON shapes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template_string, request

from sandbox.dataset import Dataset, generate_dataset, load_dataset, stamp, updated_at
from sandbox.faults import FaultError, Faults, served_slice

DatasetFactory = Callable[[], Dataset]
LOOPBACK_ADDRESSES = {"127.0.0.1", "::1"}


def dataset_factory(seed: int = 1, size: int = 200, companies: int = 3, path: str | None = None) -> DatasetFactory:
    """How sandboxes (re)build their data at start and on `POST /_admin/reset`.

    The data is built once; every call hands out a fresh copy, so four sandboxes and
    any number of resets cost one generation.
    """
    pristine: list[Dataset] = []

    def make() -> Dataset:
        if not pristine:
            pristine.append(load_dataset(path) if path else generate_dataset(seed=seed, size=size, companies=companies))
        return pristine[0].fresh_copy()

    return make


class SandboxState:
    """One sandbox's dataset and fault knobs, shared by its request threads."""

    def __init__(self, provider: str, make_dataset: DatasetFactory, faults: dict | None = None, max_hang_s: float = 30.0) -> None:
        self.provider = provider
        self.make_dataset = make_dataset
        self.initial_faults = dict(faults or {})
        self.max_hang_s = max_hang_s
        # Scheduled changes mutate employee lists while other threads serve pages.
        self.lock = threading.RLock()
        # Set when the server stops, so hanging and slow requests end at once.
        self.stopping = threading.Event()
        self.reset()

    def reset(self) -> None:
        dataset = self.make_dataset()
        faults = Faults(self.initial_faults, self.max_hang_s)
        with self.lock:
            self.dataset = dataset
            self.faults = faults

    def now(self) -> str:
        """The server's clock, as it stamps changes and answers `as_of`: off by the
        `clock_skew_s` knob, like a provider whose clock nobody set."""
        return stamp(datetime.now(UTC) + timedelta(seconds=self.faults.get("clock_skew_s", 0)))


def sandbox_state() -> SandboxState:
    return current_app.extensions["sandbox"]


def new_app(name: str, state: SandboxState) -> Flask:
    app = Flask(name)
    app.extensions["sandbox"] = state
    # Names and e-mails carry accents; keep them readable in the JSON.
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.register_error_handler(BadQueryArgument, lambda error: json_error(400, "bad_request", str(error)))
    app.register_error_handler(CursorExpired, lambda error: json_error(410, "cursor_expired", str(error)))
    app.register_blueprint(admin_blueprint())
    return app


def json_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    return response


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def install_request_faults(app: Flask, page_endpoints: set[str], exempt_endpoints: frozenset[str] = frozenset()) -> None:
    """Latency, hang, 429 and 5xx for every API request (never the admin endpoints)."""

    @app.before_request
    def misbehave():
        if request.path.startswith("/_admin") or request.endpoint in exempt_endpoints:
            return None
        state = sandbox_state()
        verdict = state.faults.judge_request(request.endpoint in page_endpoints)
        if verdict.sleep_s:
            state.stopping.wait(verdict.sleep_s)
        if verdict.hang_s:
            state.stopping.wait(verdict.hang_s)
        if verdict.status == 429:
            response = json_error(429, "rate_limited", "Too many requests, slow down.")
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
        if verdict.status:
            return json_error(verdict.status, "internal_error", "The provider failed; try again later.")
        return None


@dataclass(frozen=True)
class ServedPage:
    items: list[dict]
    # Where the page after this one starts, None on the last page.
    next_start: int | None
    # How many the whole listing holds: everyone, or everyone changed since the cursor.
    total: int
    # The server's time when it read the list: the next "updated since" cursor.
    as_of: str
    malformed_json: bool = False


def updated_since_arg() -> str | None:
    """The `updated_since` query argument as a stamp, None when the listing is of everyone."""
    raw = request.args.get("updated_since")
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadQueryArgument("'updated_since' must be an ISO 8601 moment with its time zone, e.g. 2025-05-12T10:00:00Z")
    return stamp(moment)


def serve_page(state: SandboxState, company: dict, start: int, size: int, since: str | None = None) -> ServedPage:
    """Employees [start, start+size) with the record and one-shot page faults applied; of
    those changed at or after `since` only, when given."""
    number = start // size + 1
    faults = state.faults
    with state.lock:
        # Read before the list, under the lock every change takes: a change after this
        # answer is stamped at or after `as_of`, and the next listing from it sees it.
        as_of = state.now()
        if since is not None:
            refuse_old_cursor(faults, since, as_of)
            company = {**company, "employees": [e for e in company["employees"] if updated_at(e) >= since]}
        total = len(company["employees"])
        next_start = start + size if start + size < total else None
        if start >= size and faults.take_page_fault("repeat_page", number - 1):
            # The previous page again; a cursor points back here so nothing is lost.
            return ServedPage(served_slice(faults, company, start - size, start), start, total, as_of)
        if faults.take_page_fault("empty_page", number):
            return ServedPage([], next_start, total, as_of)
        malformed = faults.take_page_fault("malformed_json_page", number)
        return ServedPage(served_slice(faults, company, start, start + size), next_start, total, as_of, malformed)


class CursorExpired(Exception):
    """An `updated_since` the provider no longer keeps changes for: answered 410."""


def refuse_old_cursor(faults: Faults, since: str, as_of: str) -> None:
    kept_s = faults.get("cursor_expired")
    if kept_s is True or (kept_s and since < stamp(datetime.fromisoformat(as_of) - timedelta(seconds=kept_s))):
        raise CursorExpired(f"Changes are not kept that far back ({since}): list every employee instead.")


def page_response(payload: dict, malformed_json: bool = False) -> Response:
    body = json.dumps(payload, ensure_ascii=False)
    if malformed_json:
        # A body cut off mid-stream, still labelled as JSON, as a broken proxy would.
        body = body[: len(body) // 2]
    return Response(body, status=200, mimetype="application/json")


class BadQueryArgument(ValueError):
    """A query parameter a real provider would refuse with 400."""


def int_arg(name: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or int(raw) < minimum:
        raise BadQueryArgument(f"'{name}' must be an integer of at least {minimum}")
    value = int(raw)
    return min(value, maximum) if maximum else value


def loopback_only():
    """Admin endpoints have no auth, so they refuse anyone but this machine."""
    if request.remote_addr not in LOOPBACK_ADDRESSES:
        return json_error(403, "forbidden", "Admin endpoints answer on loopback only.")
    return None


def admin_blueprint() -> Blueprint:
    """Loopback-only controls for tests and demos: faults, reset, scheduled changes."""
    admin = Blueprint("admin", __name__, url_prefix="/_admin")
    admin.before_request(loopback_only)

    @admin.get("/faults")
    def show_faults():
        return jsonify(sandbox_state().faults.to_json())

    @admin.post("/faults")
    def set_faults():
        try:
            return jsonify(sandbox_state().faults.update(request.get_json(force=True) or {}))
        except FaultError as error:
            return json_error(400, "invalid_fault", str(error))

    @admin.post("/reset")
    def reset():
        state = sandbox_state()
        state.reset()
        return jsonify({"reset": True, "faults": state.faults.to_json()})

    @admin.post("/advance")
    def advance():
        state = sandbox_state()
        with state.lock:
            applied = state.dataset.advance(state.now())
            return jsonify({"run": state.dataset.run, "applied": applied})

    @admin.post("/companies/<company_id>/raise-salaries")
    def raise_salaries(company_id: str):
        # A load generator's "N % of the payroll changed", without scheduling each change.
        state = sandbox_state()
        asked = request.get_json(force=True) or {}
        percent, count = asked.get("percent"), asked.get("count")
        if count is not None:
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                return json_error(400, "invalid_count", "'count' must be a positive integer.")
        elif not isinstance(percent, (int, float)) or isinstance(percent, bool) or not 0 < percent <= 100:
            return json_error(400, "invalid_percent", "'percent' must be a number in (0, 100].")
        with state.lock:
            try:
                return jsonify({"raised": state.dataset.raise_salaries(company_id, percent, count=count, now=state.now())})
            except KeyError:
                return json_error(404, "company_not_found", f"No company {company_id}.")

    @admin.post("/companies/<company_id>/employees/<employee_id>")
    def edit_employee(company_id: str, employee_id: str):
        # What an HR admin's edit at the provider does; the employee pages only show people.
        state = sandbox_state()
        fields = request.get_json(force=True) or {}
        with state.lock:
            try:
                return jsonify(state.dataset.edit_employee(company_id, employee_id, fields, state.now()))
            except KeyError as missing:
                return json_error(404, "not_found", str(missing.args[0]))
            except ValueError as refused:
                return json_error(400, "invalid_field", str(refused))

    @admin.get("/dataset")
    def dataset_summary():
        state = sandbox_state()
        with state.lock:
            return jsonify({"provider": state.provider, **summarise(state.dataset)})

    @admin.get("/companies/<company_id>/employees")
    def company_truth(company_id: str):
        # The unfaulted truth, so tests can check what a connector should have read.
        state = sandbox_state()
        with state.lock:
            company = state.dataset.company(company_id)
            if company is None:
                return json_error(404, "company_not_found", f"No company {company_id}.")
            return jsonify(company["employees"])

    return admin


EMPLOYEE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ provider }} (sandbox) – {{ title }}</title></head><body>
<h1>{{ provider }} <small>sandbox</small></h1>
{% if employee %}
<h2>{{ title }}</h2>
<p>Where the HR admin edits this person at {{ provider }}. The sandbox only shows the record.</p>
<dl>
<dt>ID</dt><dd id="employee-id">{{ employee.id }}</dd>
<dt>Employee number</dt><dd>{{ employee.employee_number or "–" }}</dd>
<dt>E-mail</dt><dd>{{ employee.email or "–" }}</dd>
<dt>Phone</dt><dd>{{ employee.phone or "–" }}</dd>
<dt>Language</dt><dd>{{ employee.language or "–" }}</dd>
<dt>Start date</dt><dd>{{ employee.start_date or "–" }}</dd>
<dt>Company</dt><dd>{{ company.name }}</dd>
<dt>Entity</dt><dd>{{ entity_name }}</dd>
</dl>
<h3>Contracts</h3>
<table><tr><th>ID</th><th>Wage type</th><th>Gross amount</th><th>Start</th><th>End</th></tr>
{% for contract in employee.contracts %}<tr><td>{{ contract.id }}</td><td>{{ contract.wage_type }}</td>
<td>{{ contract.gross_amount }}</td><td>{{ contract.start_date }}</td><td>{{ contract.end_date or "–" }}</td></tr>{% endfor %}
</table>
{% else %}
<h2>{{ title }}</h2><p role="alert">No employee with ID {{ employee_id }} at {{ provider }}.</p>
{% endif %}
</body></html>"""


def find_employee(dataset: Dataset, employee_id: str) -> tuple[dict, dict] | None:
    """(company, employee) for a provider employee ID; IDs are unique across companies."""
    for company in dataset.companies:
        for employee in company["employees"]:
            if employee["id"] == employee_id:
                return company, employee
    return None


def employee_page_blueprint(rule: str, provider: str) -> Blueprint:
    """The provider's own page of one employee, where the "Edit at <provider>" link of
    Flexsync's locked fields leads (each connector's `edit_path`): the sandbox shows the
    person as stored, and answers 404 for an ID it does not know."""
    pages = Blueprint("employee_page", __name__)

    @pages.get(rule)
    def employee_page(employee_id: str):
        state = sandbox_state()
        with state.lock:
            found = find_employee(state.dataset, employee_id)
        if found is None:
            page = render_template_string(
                EMPLOYEE_PAGE, provider=provider, title="Employee not found", employee=None, employee_id=employee_id
            )
            return page, 404
        company, employee = found
        entity_name = next((e["name"] for e in company["entities"] if e["id"] == employee.get("entity_id")), "–")
        name = f"{employee['first_name']} {employee['last_name']}"
        return render_template_string(
            EMPLOYEE_PAGE, provider=provider, title=name, employee=employee, company=company, entity_name=entity_name
        )

    return pages


# The endpoint of `employee_page_blueprint`'s page: a page for a person, never faulted like the API.
EMPLOYEE_PAGE_ENDPOINT = "employee_page.employee_page"


def summarise(dataset: Dataset) -> dict:
    pending_runs = sorted({c["run"] for c in dataset.scheduled_changes if c["run"] > dataset.run})
    companies = [
        {
            key: company.get(key)
            for key in ("id", "name", "vat", "integration_available", "api_token", "api_key", "users", "entities")
        }
        | {"employee_count": len(company["employees"])}
        for company in dataset.companies
    ]
    return {"run": dataset.run, "pending_runs": pending_runs, "companies": companies}
