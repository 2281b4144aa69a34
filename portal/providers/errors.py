"""Turning provider refusals into what the activation wizard and the sync run show."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from portal.providers.base import (
    ActivationError,
    ActivationProblem,
    CompanyInfo,
    Credentials,
    CursorRefused,
    ProviderUnavailable,
    ReconnectNeeded,
)
from portal.providers.http import ProviderRefused

# The providers that find the company by its VAT number (Securex, Liantis) refuse alike.
VAT_LOOKUP_PROBLEMS: Mapping[str, ActivationProblem] = MappingProxyType(
    {
        "missing_vat": ActivationProblem.MISSING_VAT,
        "invalid_vat": ActivationProblem.INVALID_VAT,
        "company_not_found": ActivationProblem.COMPANY_NOT_FOUND,
    }
)


def company_by_vat(
    credentials: Credentials, problems: Mapping[str, ActivationProblem], look_up: Callable[[str], CompanyInfo]
) -> CompanyInfo:
    """The company with the tenant's VAT number, or the activation problem the admin can act on."""
    vat = (credentials.vat_number or "").strip()
    if not vat:
        raise ActivationError(ActivationProblem.MISSING_VAT, "no VAT number to look up")
    with activating(problems):
        return look_up(vat)


@contextmanager
def activating(problems: Mapping[str, ActivationProblem]) -> Iterator[None]:
    """Activation errors from the provider's error codes.

    A refusal the admin cannot fix (our own API key refused, an unexpected 4xx) and
    an outage both read as INTERNAL_ERROR; the operator detail keeps the real cause.
    """
    try:
        yield
    except ProviderRefused as refusal:
        problem = problems.get(refusal.code, ActivationProblem.INTERNAL_ERROR)
        raise ActivationError(problem, str(refusal)) from refusal
    except ReconnectNeeded as error:
        raise ActivationError(ActivationProblem.INVALID_TOKEN, str(error)) from error
    except ProviderUnavailable as error:
        raise ActivationError(ActivationProblem.INTERNAL_ERROR, str(error)) from error


@contextmanager
def token_refused_means_reconnect(provider: str) -> Iterator[None]:
    """For pasted tokens and keys: a 401 means the admin's token was revoked or changed."""
    try:
        yield
    except ProviderRefused as refusal:
        if refusal.status == 401:
            raise ReconnectNeeded(f"{provider} no longer accepts the API token: {refusal}") from refusal
        raise


@contextmanager
def gone_means_list_everyone(provider: str) -> Iterator[None]:
    """410 Gone to a listing of changes: the provider no longer keeps changes that far back."""
    try:
        yield
    except ProviderRefused as refusal:
        if refusal.status == 410:
            raise CursorRefused(f"{provider} no longer lists the changes since then: {refusal}") from refusal
        raise


def account_name(entity_names: Iterable[str]) -> str:
    """The account's company name, for APIs that only name its venues or entities.

    They are called "<company> – <place>"; when they do not share a company part the
    provider names no company, and the name is empty: a venue ("Gent") is no company name.
    """
    names = list(entity_names)
    companies = {name.split(" – ")[0].strip() for name in names if " – " in name}
    if len(companies) == 1 and all(" – " in name for name in names):
        return companies.pop()
    return ""
