"""Liantis: OAuth2 consent given once by a main user at MyLiantis, then a slow,
bearer-protected API paged by cursor, without a total. Quirk: languages in upper case.

Token handling is plain requests through the shared client rather than Authlib's
OAuth2Session: Authlib refreshes only on local expiry (not on a 401), refuses http://
token endpoints without an environment switch, and would bypass the client's timeouts
and retries for the refresh itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar
from urllib.parse import quote

from portal.providers import records
from portal.providers.base import (
    ActivationProblem,
    Code,
    CompanyInfo,
    Connector,
    Credentials,
    EmployeeRecord,
    FieldPolicy,
    Page,
    Provider,
    ProviderUnavailable,
    ReconnectNeeded,
    TokenGuard,
)
from portal.providers.errors import VAT_LOOKUP_PROBLEMS, company_by_vat
from portal.providers.http import HttpClient, HttpSettings, ProviderRefused
from portal.providers.paging import RawPage, field, read_pages

MAX_PAGE_SIZE = 100
# Refresh a little early, so a token does not expire between the check and the request.
EXPIRY_LEEWAY_S = 30
ACTIVATION_PROBLEMS = {
    **VAT_LOOKUP_PROBLEMS,
    # The VAT belongs to another company than the one whose main user consented.
    "no_consent": ActivationProblem.NOT_AVAILABLE,
}


class LiantisConnector(Connector):
    provider = Provider.LIANTIS
    edit_path = "/myliantis/personnel/{id}"
    field_policies: ClassVar[Mapping[str, FieldPolicy]] = MappingProxyType(
        {
            "language": FieldPolicy.FIRST_SYNC_ONLY,
        }
    )
    # Liantis has known performance issues: few syncs at once.
    max_concurrent_syncs = 2
    rotates_tokens = True
    # MyLiantis consent; the token path also serves this connector's own refreshes.
    authorize_path: ClassVar[str] = "/oauth/authorize"
    token_path: ClassVar[str] = "/oauth/token"
    scope: ClassVar[str] = "payroll.read"

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        client_id: str,
        client_secret: str,
        page_size: int = MAX_PAGE_SIZE,
        http: HttpSettings | None = None,
        clock: Callable[[], float] = time.time,
        token_guard: TokenGuard | None = None,
    ) -> None:
        super().__init__(base_url, credentials)
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        self.http = HttpClient("Liantis", self.base_url, http)
        self.client_auth = (client_id, client_secret)
        self.clock = clock
        self.token_guard = token_guard

    def find_company(self) -> CompanyInfo:
        return company_by_vat(self.credentials, ACTIVATION_PROBLEMS, self._company_by_vat)

    def wage_codes(self) -> list[Code]:
        body = self._get(f"{self._company_path()}/wage-codes")
        return [records.code(c) for c in field("Liantis", body, "data", list) if isinstance(c, Mapping)]

    def employees(self) -> Iterator[Page]:
        path = f"{self._company_path()}/employees"

        def fetch(cursor: str) -> RawPage[str]:
            params: dict[str, Any] = {"limit": self.page_size}
            if cursor:
                params["cursor"] = cursor
            body = self._get(path, params)
            next_cursor = body.get("next_cursor") if isinstance(body, Mapping) else None
            if next_cursor is not None:
                next_cursor = field("Liantis", body, "next_cursor", str)
            return RawPage(field("Liantis", body, "data", list), next_cursor)

        # The first page is asked for without a cursor.
        yield from read_pages("Liantis", "", fetch, lambda raw: records.read_employee(raw, employee))

    def _company_by_vat(self, vat: str) -> CompanyInfo:
        body = self._get("/api/companies", {"vat": vat})
        return CompanyInfo(field("Liantis", body, "company_id", str), field("Liantis", body, "name", str))

    def _company_path(self) -> str:
        """The consented company, stored at activation; looked up again only when missing."""
        credentials = self.credentials
        if not credentials.provider_company_id:
            company = self._company_by_vat(credentials.vat_number or "")
            credentials.provider_company_id = company.provider_company_id
            credentials.changed = True
        return f"/api/companies/{quote(credentials.provider_company_id, safe='')}"

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """A bearer request; an expired or refused access token is refreshed once."""
        refreshed = self._token_expired()
        if refreshed:
            self._refresh()
        try:
            return self.http.get(path, params, headers=self._bearer())
        except ProviderRefused as refusal:
            if refusal.status != 401:
                raise
            if refreshed:
                raise self._fresh_token_refused(refusal) from refusal
        self._refresh()
        try:
            return self.http.get(path, params, headers=self._bearer())
        except ProviderRefused as refusal:
            if refusal.status == 401:
                raise self._fresh_token_refused(refusal) from refusal
            raise

    def _token_expired(self, credentials: Credentials | None = None) -> bool:
        expires_at = (credentials or self.credentials).expires_at
        return expires_at is not None and self.clock() >= expires_at - EXPIRY_LEEWAY_S

    def _bearer(self) -> dict[str, str]:
        if not self.credentials.access_token:
            raise ReconnectNeeded("no Liantis access token: the admin must connect Liantis")
        return {"Authorization": f"Bearer {self.credentials.access_token}"}

    def _refresh(self) -> None:
        """New tokens, refreshed by one process at a time when a token guard is given."""
        if self.token_guard is None:
            self._refresh_tokens()
            return
        used = self.credentials.access_token
        with self.token_guard.refreshing() as stored:
            if stored.access_token and stored.access_token != used and not self._token_expired(stored):
                # Another job refreshed while this one waited: our refresh token is dead, theirs is new.
                self._adopt(stored)
                return
            self._refresh_tokens()
            self.token_guard.save(self.credentials)
            # Saved by the guard: the caller must not write these tokens again later.
            self.credentials.changed = False

    def _adopt(self, stored: Credentials) -> None:
        self.credentials.access_token = stored.access_token
        self.credentials.refresh_token = stored.refresh_token
        self.credentials.expires_at = stored.expires_at

    def _refresh_tokens(self) -> None:
        """New tokens from the refresh token; the caller persists them (`changed`).

        Liantis rotates both tokens on every refresh, so the old refresh token is dead
        the moment this succeeds: the new pair must reach the database.
        """
        credentials = self.credentials
        if not credentials.refresh_token:
            raise ReconnectNeeded("no Liantis refresh token: the admin must connect Liantis")
        try:
            body = self.http.post(
                self.token_path,
                auth=self.client_auth,
                data={"grant_type": "refresh_token", "refresh_token": credentials.refresh_token},
            )
        except ProviderRefused as refusal:
            if refusal.code == "invalid_grant":
                raise ReconnectNeeded(f"Liantis refused the refresh token (consent withdrawn or expired): {refusal}") from refusal
            raise
        credentials.access_token = field("Liantis", body, "access_token", str)
        credentials.refresh_token = body.get("refresh_token") or credentials.refresh_token
        expires_in = body.get("expires_in")
        credentials.expires_at = self.clock() + expires_in if isinstance(expires_in, (int, float)) else None
        credentials.changed = True

    @staticmethod
    def _fresh_token_refused(refusal: ProviderRefused) -> ProviderUnavailable:
        # Reconnecting would give the same kind of token, so this is for an operator.
        return ProviderUnavailable(f"Liantis refused an access token it had just issued: {refusal}")


def employee(raw: records.Raw) -> EmployeeRecord:
    return EmployeeRecord(
        **records.person(raw),
        start_date=records.optional_date(raw.get("start_date"), "start_date"),
        employee_number=records.text(raw.get("payroll_id")),
        entity_ref=records.text(raw.get("entity_id")),
        contracts=tuple(records.wage_contract(c) for c in records.contract_list(raw, "wage_contracts")),
    )
