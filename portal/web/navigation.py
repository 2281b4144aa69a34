"""Leaving a wizard or a tab for another page, for htmx and plain requests alike."""

from __future__ import annotations

from flask import Response, abort, redirect

from portal.extensions import htmx
from portal.integrations import overview
from portal.models import Integration
from portal.providers.base import Provider


def provider_or_404(value: str) -> Provider:
    try:
        return Provider(value)
    except ValueError:
        abort(404)


def go_to(url: str) -> Response:
    # An htmx request would swap the next page into the fragment: ask for a full navigation.
    if htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


def available_integration_or_404(provider: str) -> Integration:
    """Only what customer success made available for this company exists here, even for a direct POST."""
    integration = overview.integration_for(provider_or_404(provider))
    if integration is None or not integration.available:
        abort(404)
    return integration
