"""Securex: a static API key of Flexsync's, the company found by its VAT number,
numbered pages with a total, and the same pages of only the people changed since a
moment (`updated_since`, answered with Securex's own time `as_of`). Quirk: amounts and
percentages are JSON numbers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import ClassVar
from urllib.parse import quote

from portal.providers import records
from portal.providers.base import (
    ActivationProblem,
    CompanyInfo,
    Connector,
    Credentials,
    EmployeeRecord,
    FieldPolicy,
    Page,
    Provider,
)
from portal.providers.errors import VAT_LOOKUP_PROBLEMS, company_by_vat, gone_means_list_everyone
from portal.providers.http import HttpClient, HttpSettings
from portal.providers.paging import RawPage, field, iso_utc, provider_time, read_pages

MAX_PAGE_SIZE = 200
ACTIVATION_PROBLEMS = {
    **VAT_LOOKUP_PROBLEMS,
    "integration_not_available": ActivationProblem.NOT_AVAILABLE,
}


class SecurexConnector(Connector):
    provider = Provider.SECUREX
    edit_path = "/employer/employees/{id}"
    field_policies: ClassVar[Mapping[str, FieldPolicy]] = MappingProxyType({})
    supports_delta = True

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        api_key: str,
        page_size: int = MAX_PAGE_SIZE,
        http: HttpSettings | None = None,
    ) -> None:
        super().__init__(base_url, credentials)
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        self.http = HttpClient("Securex", self.base_url, http, {"X-Api-Key": api_key})

    def find_company(self) -> CompanyInfo:
        return company_by_vat(self.credentials, ACTIVATION_PROBLEMS, self._company_by_vat)

    def employees(self) -> Iterator[Page]:
        yield from self._listing({})

    def changed_employees(self, since: datetime) -> Iterator[Page]:
        with gone_means_list_everyone("Securex"):
            yield from self._listing({"updated_since": iso_utc(since)})

    def _listing(self, query: Mapping[str, str]) -> Iterator[Page]:
        path = f"/api/v1/companies/{quote(self._company_id(), safe='')}/employees"

        def fetch(page: int) -> RawPage[int]:
            body = self.http.get(path, {**query, "page": page, "per_page": self.page_size})
            pages = field("Securex", body, "pages", int)
            return RawPage(
                field("Securex", body, "items", list),
                page + 1 if page < pages else None,
                field("Securex", body, "total", int),
                provider_time("Securex", body, "as_of"),
            )

        yield from read_pages("Securex", 1, fetch, lambda raw: records.read_employee(raw, employee))

    def _company_by_vat(self, vat: str) -> CompanyInfo:
        body = self.http.get("/api/v1/companies", {"vat": vat})
        return CompanyInfo(field("Securex", body, "id", str), field("Securex", body, "name", str))

    def _company_id(self) -> str:
        """Stored at activation; looked up again only for credentials saved without it."""
        if not self.credentials.provider_company_id:
            company = self._company_by_vat(self.credentials.vat_number or "")
            self.credentials.provider_company_id = company.provider_company_id
            self.credentials.changed = True
        return self.credentials.provider_company_id


def employee(raw: records.Raw) -> EmployeeRecord:
    entity = raw.get("entity") or {}
    return EmployeeRecord(
        **records.person(raw),
        start_date=records.optional_date(raw.get("start_date"), "start_date"),
        employee_number=records.text(raw.get("employee_number")),
        entity_ref=records.text(entity.get("id")),
        entity_name=records.text(entity.get("name")),
        contracts=tuple(records.wage_contract(c) for c in records.contract_list(raw, "wage_contracts")),
    )
