"""Which connector serves which provider, and the options each one takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.providers.base import Connector, Credentials, Provider
from portal.providers.connexie import ConnexieConnector
from portal.providers.hris import HrisConnector
from portal.providers.liantis import LiantisConnector
from portal.providers.securex import SecurexConnector

CONNECTORS: Mapping[Provider, type[Connector]] = {
    Provider.SECUREX: SecurexConnector,
    Provider.LIANTIS: LiantisConnector,
    Provider.CONNEXIE: ConnexieConnector,
    Provider.HRIS: HrisConnector,
}

# Flexsync's own secrets per provider: config key → connector option.
CONFIG_OPTIONS: Mapping[Provider, Mapping[str, str]] = {
    Provider.SECUREX: {"SECUREX_API_KEY": "api_key"},
    Provider.LIANTIS: {"LIANTIS_CLIENT_ID": "client_id", "LIANTIS_CLIENT_SECRET": "client_secret"},
}


def connector_class(provider: Provider | str) -> type[Connector]:
    return CONNECTORS[Provider(provider)]


def connector_for(provider: Provider | str, base_url: str, credentials: Credentials, **options: Any) -> Connector:
    """Options: `api_key` (Securex), `client_id` and `client_secret` (Liantis), and for
    all of them `page_size` and `http` (an `HttpSettings`)."""
    return connector_class(provider)(base_url, credentials, **options)


def options_from_config(provider: Provider | str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The options `connector_for` needs for this provider, read from the app config."""
    return {option: config[key] for key, option in CONFIG_OPTIONS.get(Provider(provider), {}).items()}
