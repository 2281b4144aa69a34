"""Providers reached with a token the admin pastes (Connexie, the generic HR system).

Neither API names the company: pasting the token is the connection, and the company's
venues or entities are the only proof it works and the only name to show.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import ClassVar

from portal.providers.base import ActivationError, ActivationProblem, CompanyInfo, Connector, Credentials, Entity
from portal.providers.errors import account_name, activating
from portal.providers.http import HttpClient, HttpSettings


class TokenConnector(Connector):
    # How the provider is named in operator messages ("Connexie", "HR system").
    label: ClassVar[str]
    # What the admin pastes, as the provider calls it ("API token", "API key").
    token_name: ClassVar[str]
    max_page_size: ClassVar[int]
    activation_problems: ClassVar[Mapping[str, ActivationProblem]]

    def __init__(
        self, base_url: str, credentials: Credentials, *, page_size: int | None = None, http: HttpSettings | None = None
    ) -> None:
        super().__init__(base_url, credentials)
        self.page_size = max(1, min(page_size or self.max_page_size, self.max_page_size))
        self.http = HttpClient(self.label, self.base_url, http, {"Authorization": f"Bearer {credentials.api_token or ''}"})

    def find_company(self) -> CompanyInfo:
        """Checks the pasted token by reading the company's places of work."""
        if not self.credentials.api_token:
            raise ActivationError(ActivationProblem.INVALID_TOKEN, f"no {self.token_name} was given")
        with activating(self.activation_problems):
            places = self.places_of_work()
        return CompanyInfo(self.credentials.provider_company_id or "", account_name(p.name for p in places))

    @abc.abstractmethod
    def places_of_work(self) -> list[Entity]:
        """Connexie's venues, the HR system's entities."""
