"""Generic HR system (Payhawk-style): an API key per company, entities, employees by
offset with work e-mail, phone and an explicit exclusion flag, and the same pages of only
the people changed since a moment (`updated_since`, answered with its own time `as_of`).

Its rules differ from the payroll providers': a changed e-mail is a login, so it is
never overwritten (the admin is alerted), and a changed phone must be verified again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import ClassVar

from portal.providers import records
from portal.providers.base import (
    ActivationProblem,
    EmployeeRecord,
    Entity,
    FieldPolicy,
    Page,
    Provider,
    RecordProblem,
)
from portal.providers.errors import gone_means_list_everyone, token_refused_means_reconnect
from portal.providers.paging import RawPage, field, iso_utc, provider_time, read_pages
from portal.providers.token_connector import TokenConnector

MAX_PAGE_SIZE = 500
ACTIVATION_PROBLEMS = {
    "unauthorized": ActivationProblem.INVALID_TOKEN,
    "invalid_token": ActivationProblem.INVALID_TOKEN,
}


class HrisConnector(TokenConnector):
    provider = Provider.HRIS
    edit_path = "/people/{id}"
    field_policies: ClassVar[Mapping[str, FieldPolicy]] = MappingProxyType(
        {
            "email": FieldPolicy.NEVER_OVERWRITE_AND_ALERT,
            "phone": FieldPolicy.OVERWRITE_AND_REVERIFY,
        }
    )

    supports_delta = True
    label = "HR system"
    token_name = "API key"
    max_page_size = MAX_PAGE_SIZE
    activation_problems = ACTIVATION_PROBLEMS

    def places_of_work(self) -> list[Entity]:
        return self.entities()

    def entities(self) -> list[Entity]:
        with token_refused_means_reconnect("HR system"):
            body = self.http.get("/v1/entities")
        return [
            Entity(str(e["id"]), str(e["name"]), bool(e.get("active", True)))
            for e in field("HR system", body, "data", list)
            if isinstance(e, Mapping)
        ]

    def employees(self) -> Iterator[Page]:
        yield from self._listing({})

    def changed_employees(self, since: datetime) -> Iterator[Page]:
        with gone_means_list_everyone("HR system"):
            yield from self._listing({"updated_since": iso_utc(since)})

    def _listing(self, query: Mapping[str, str]) -> Iterator[Page]:
        def fetch(offset: int) -> RawPage[int]:
            with token_refused_means_reconnect("HR system"):
                body = self.http.get("/v1/employees", {**query, "offset": offset, "limit": self.page_size})
            paging = field("HR system", body, "paging", dict)
            next_offset = paging.get("next_offset")
            if next_offset is not None:
                next_offset = field("HR system", paging, "next_offset", int)
            return RawPage(
                field("HR system", body, "data", list),
                next_offset,
                field("HR system", paging, "total", int),
                provider_time("HR system", body, "as_of"),
            )

        yield from read_pages("HR system", 0, fetch, lambda raw: records.read_employee(raw, employee, "work_email"))


def employee(raw: records.Raw) -> EmployeeRecord:
    excluded = raw.get("excluded", False)
    if not isinstance(excluded, bool):
        raise records.Unreadable(RecordProblem.MALFORMED, f"'excluded' is not true/false: {excluded!r}")
    return EmployeeRecord(
        **records.person(raw, "work_email"),
        start_date=records.optional_date(raw.get("start_date"), "start_date"),
        employee_number=records.text(raw.get("employee_number")),
        phone=records.phone(raw.get("phone_number")),
        entity_ref=records.text(raw.get("entity_id")),
        contracts=tuple(records.wage_contract(c) for c in records.contract_list(raw, "employments")),
        excluded=excluded,
    )
