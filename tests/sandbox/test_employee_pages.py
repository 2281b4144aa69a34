"""Each sandbox serves the page Flexsync's "Edit at <provider>" link opens (the connector's
`edit_path`), and a 404 for an ID it does not know."""

from __future__ import annotations

import html

import pytest
import requests

from portal.providers.base import Provider
from portal.providers.registry import connector_class
from sandbox.testing import set_faults, true_employees


@pytest.mark.parametrize("provider", list(Provider))
def test_the_edit_link_of_every_connector_shows_the_person_at_the_sandbox(sandboxes, sandbox_demo_company, provider):
    person = true_employees(sandboxes[provider.value], sandbox_demo_company["id"])[0]
    url = connector_class(provider).edit_url(sandboxes[provider.value], person["id"])
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, url
    text = html.unescape(page.text)
    assert f"{person['first_name']} {person['last_name']}" in text
    assert person["id"] in text and person["email"] in text


@pytest.mark.parametrize("provider", list(Provider))
def test_an_unknown_id_is_a_404_page(sandboxes, provider):
    url = connector_class(provider).edit_url(sandboxes[provider.value], "NOBODY-1")
    page = requests.get(url, timeout=10)
    assert page.status_code == 404 and "NOBODY-1" in page.text


def test_the_person_page_is_html_escaped_and_not_faulted_like_the_api(sandboxes, sandbox_demo_company):
    set_faults(sandboxes["securex"], error_5xx={"every": 1}, html_names=1)
    person = true_employees(sandboxes["securex"], sandbox_demo_company["id"])[0]
    page = requests.get(connector_class(Provider.SECUREX).edit_url(sandboxes["securex"], person["id"]), timeout=10)
    assert page.status_code == 200
    assert "<script>" not in page.text.split("</title>", 1)[1]
