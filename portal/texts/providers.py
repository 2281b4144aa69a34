"""How each provider presents itself to an HR admin: name, how it connects, where to edit."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.providers.base import Provider


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    connects_with: str
    summary: str


PROVIDERS: dict[Provider, ProviderInfo] = {
    Provider.SECUREX: ProviderInfo(
        "Securex",
        _l("Your company VAT number"),
        _l("Employees and wages from Securex, every night and whenever you press Sync now."),
    ),
    Provider.LIANTIS: ProviderInfo(
        "Liantis",
        _l("Your company VAT number and a consent in MyLiantis by a main user"),
        _l("Employees and wage contracts from Liantis, with predefined wage codes."),
    ),
    Provider.CONNEXIE: ProviderInfo(
        "Connexie",
        _l("An API token from Connexie"),
        _l("Team members with an active contract, and worked hours exported back to Connexie."),
    ),
    Provider.HRIS: ProviderInfo(
        _l("Generic HR system"),
        _l("An API key of your HR system"),
        _l("Employees, entities and phone numbers; e-mail changes are shown to you, never applied silently."),
    ),
}
