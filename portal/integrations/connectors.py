"""The one place that builds a provider connector for an integration.

Everything a connector needs comes together here: the integration's stored (encrypted)
secrets, Flexsync's own client secrets from the config, the provider's address, the
HTTP settings of whoever waits (a wizard page or a worker) and, for providers that
rotate tokens, the refresh guard shared by every process. Pages never build one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.integrations.token_guard import IntegrationTokenGuard
from portal.models import Integration
from portal.providers.base import Connector, Credentials, Provider
from portal.providers.http import HttpSettings
from portal.providers.registry import connector_class, connector_for, options_from_config
from portal.queue import redis_connection

# The admin waits on the page: fewer and shorter retries than a nightly sync gets.
WIZARD_HTTP = HttpSettings(read_timeout_s=10.0, attempts=2)


def credentials_of(integration: Integration) -> Credentials:
    stored = dict(integration.credentials or {})
    return Credentials(
        provider_company_id=integration.provider_company_id,
        vat_number=integration.tenant.vat_number,
        api_token=stored.get("api_token"),
        access_token=stored.get("access_token"),
        refresh_token=stored.get("refresh_token"),
        expires_at=stored.get("expires_at"),
    )


def for_background_work(integration: Integration, config: Mapping[str, Any]) -> Connector:
    """A connector for a sync run or an export: the configured page size and retries, and
    one token refresh at a time across all workers."""
    options = options_from_config(integration.provider, config)
    if config["SYNC_PAGE_SIZE"]:
        options["page_size"] = config["SYNC_PAGE_SIZE"]
    if connector_class(integration.provider).rotates_tokens:
        options["token_guard"] = IntegrationTokenGuard(integration.id, redis_connection())
    return _build(integration.provider, config, credentials_of(integration), HttpSettings(**config["PROVIDER_HTTP"]), options)


def for_wizard(integration: Integration, credentials: Credentials, config: Mapping[str, Any]) -> Connector:
    """A connector for a wizard step, with the credentials the admin is trying out."""
    return _build(integration.provider, config, credentials, WIZARD_HTTP, options_from_config(integration.provider, config))


def save_refreshed_credentials(integration: Integration, credentials: Credentials) -> None:
    """Tokens the connector refreshed on its way replace the stored ones (the rest is kept)."""
    if not credentials.changed or not credentials.access_token:
        return
    integration.credentials = {
        **(integration.credentials or {}),
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token,
        "expires_at": credentials.expires_at,
    }
    credentials.changed = False


def edit_url(provider: Provider, provider_employee_id: str, config: Mapping[str, Any]) -> str:
    """Where the admin edits this employee at the provider; needs no secret."""
    return connector_class(provider).edit_url(config["PROVIDER_URLS"][provider.value], provider_employee_id)


@dataclass(frozen=True, slots=True)
class ConsentSettings:
    """What Flexsync, as an OAuth2 client, needs to ask an admin's consent at the provider."""

    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    scope: str


def consent_settings(provider: Provider, config: Mapping[str, Any]) -> ConsentSettings:
    """From the connector's own endpoints and scope, on the provider's configured address
    (read at every use: `make run` and the tests point providers at a sandbox)."""
    connector = connector_class(provider)
    if connector.authorize_path is None or connector.token_path is None or connector.scope is None:
        raise ValueError(f"{provider.value} asks no consent: its connector has no OAuth endpoints")
    base_url = config["PROVIDER_URLS"][provider.value].rstrip("/")
    options = options_from_config(provider, config)
    return ConsentSettings(
        client_id=options["client_id"],
        client_secret=options["client_secret"],
        authorize_url=base_url + connector.authorize_path,
        token_url=base_url + connector.token_path,
        scope=connector.scope,
    )


def _build(
    provider: Provider, config: Mapping[str, Any], credentials: Credentials, http: HttpSettings, options: dict[str, Any]
) -> Connector:
    return connector_for(provider, config["PROVIDER_URLS"][provider.value], credentials, http=http, **options)
