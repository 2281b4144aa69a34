"""Connexie: an API token the admin pastes, venues, wage and hour codes, team members
with flex or fixed-hours contracts, and the import of worked hours back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from portal.providers import records
from portal.providers.base import (
    ActivationProblem,
    Code,
    EmployeeRecord,
    Entity,
    FieldPolicy,
    Page,
    Provider,
)
from portal.providers.errors import token_refused_means_reconnect
from portal.providers.paging import RawPage, field, read_pages
from portal.providers.token_connector import TokenConnector

MAX_PAGE_SIZE = 100
ACTIVATION_PROBLEMS = {"invalid_token": ActivationProblem.INVALID_TOKEN}


class ConnexieConnector(TokenConnector):
    provider = Provider.CONNEXIE
    edit_path = "/team/{id}/edit"
    field_policies: ClassVar[Mapping[str, FieldPolicy]] = MappingProxyType({})
    label = "Connexie"
    token_name = "API token"
    max_page_size = MAX_PAGE_SIZE
    activation_problems = ACTIVATION_PROBLEMS

    def places_of_work(self) -> list[Entity]:
        return self.venues()

    def venues(self) -> list[Entity]:
        listed = self._get_list("/api/venues", "venues")
        return [Entity(str(v["id"]), str(v["name"]), bool(v.get("active", True))) for v in listed]

    def wage_codes(self) -> list[Code]:
        return [records.code(c) for c in self._get_list("/api/wage-codes", "wage_codes")]

    def hour_codes(self) -> list[Code]:
        return [records.code(c) for c in self._get_list("/api/hour-codes", "hour_codes")]

    def employees(self) -> Iterator[Page]:
        def fetch(page: int) -> RawPage[int]:
            with token_refused_means_reconnect("Connexie"):
                body = self.http.get("/api/team-members", {"page": page, "page_size": self.page_size})
            meta = field("Connexie", body, "meta", dict)
            pages = field("Connexie", meta, "total_pages", int)
            return RawPage(
                field("Connexie", body, "team_members", list),
                page + 1 if page < pages else None,
                field("Connexie", meta, "total_count", int),
            )

        yield from read_pages("Connexie", 1, fetch, lambda raw: records.read_employee(raw, team_member))

    def post_hours(self, export_key: str, period: Mapping[str, str], lines: list[Mapping[str, Any]]) -> dict[str, Any]:
        """Connexie's answer (accepted, rejected lines). Re-posting an export key replaces
        its lines, so the client's retries can never book hours twice."""
        with token_refused_means_reconnect("Connexie"):
            answer: dict[str, Any] = self.http.post(
                "/api/hours-imports",
                json={"export_key": export_key, "period": dict(period), "lines": [dict(line) for line in lines]},
            )
            return answer

    def _get_list(self, path: str, key: str) -> list[Mapping[str, Any]]:
        with token_refused_means_reconnect("Connexie"):
            body = self.http.get(path)
        return [item for item in field("Connexie", body, key, list) if isinstance(item, Mapping)]


def team_member(raw: records.Raw) -> EmployeeRecord:
    return EmployeeRecord(
        **records.person(raw),
        employee_number=records.text(raw.get("employee_number")),
        phone=records.phone(raw.get("phone")),
        entity_ref=records.text(raw.get("venue_id")),
        contracts=tuple(records.wage_contract(c, entity_key="venue_id") for c in records.contract_list(raw, "contracts")),
    )
