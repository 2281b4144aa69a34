"""Turning provider refusals into what the activation wizard and the sync run show."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from portal.providers.base import (
    ActivationError,
    ActivationProblem,
    ProviderUnavailable,
    ReconnectNeeded,
)
from portal.providers.http import ProviderRefused


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


def account_name(entity_names: Iterable[str]) -> str:
    """The account's company name, for APIs that only name its venues or entities.

    They are called "<company> – <place>"; when they do not share a company part, the
    first one stands for the account.
    """
    names = list(entity_names)
    companies = {name.split(" – ")[0].strip() for name in names}
    if len(companies) == 1:
        return companies.pop()
    return names[0] if names else ""
