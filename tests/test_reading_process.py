"""A full sync reads the provider in a process of its own: what crosses back, and what
happens when that process dies or the run stops early."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field

import pytest

from helpers.waiting import wait_for
from portal.providers.base import Credentials, Page, ProviderUnavailable
from portal.runs.reading_process import ReadPage, reading_in_a_process
from portal.sync.digest import PageSplit


@dataclass
class Http:
    rate_limited: int = 0


@dataclass
class Connector:
    credentials: Credentials = field(default_factory=Credentials)
    http: Http = field(default_factory=Http)


def read_page(page: Page, seen: set[str]) -> ReadPage:
    records = [page.read(raw) for raw in page.raw]
    return ReadPage(PageSplit(tuple(range(len(records))), frozenset(), {}), records, len(page.raw), page.total, None)


def page(number: int) -> Page:
    return Page([f"P-{number}"], read=lambda raw: raw, total=3)


def pages_read(listing, connector=None) -> tuple[list[object], BaseException | None]:
    got: list[object] = []
    with reading_in_a_process(listing, connector or Connector(), read_page) as pages:
        try:
            for read in pages:
                got.extend(read.records)
        except Exception as error:  # noqa: BLE001 - what the run would meet
            return got, error
    return got, None


def test_pages_come_back_read_in_order_with_what_the_connector_learnt_on_the_way(app):
    connector = Connector()

    def listing():
        for number in (1, 2, 3):
            # What a token refresh and a 429 answer leave on the connector, in the reader.
            connector.credentials.access_token = f"token-{number}"
            connector.credentials.changed = True
            connector.http.rate_limited += 1
            yield page(number)

    with app.app_context():
        got, error = pages_read(listing(), connector)

    assert (got, error) == (["P-1", "P-2", "P-3"], None)
    assert connector.credentials.access_token == "token-3" and connector.credentials.changed
    assert connector.http.rate_limited == 3


def test_a_provider_error_comes_after_the_pages_before_it(app):
    def listing():
        yield page(1)
        raise ProviderUnavailable("Securex answered 503 three times")

    with app.app_context():
        got, error = pages_read(listing())

    assert got == ["P-1"]
    assert isinstance(error, ProviderUnavailable) and "503" in str(error)


class Refused(ProviderUnavailable):
    """As `http.ProviderRefused`: pickled by its message, but built from more than that."""

    def __init__(self, provider: str, status: int) -> None:
        super().__init__(f"{provider} refused with {status}")


def test_an_error_whose_constructor_takes_more_than_a_message_arrives_as_its_message(app):
    def listing():
        yield page(1)
        raise Refused("Securex", 418)

    with app.app_context():
        got, error = pages_read(listing())

    assert got == ["P-1"]
    assert type(error) is ProviderUnavailable and str(error) == "Securex refused with 418"


def test_a_reader_that_dies_ends_the_listing_as_an_outage_instead_of_a_wait(app):
    def dying(raw: str) -> str:
        os.kill(os.getpid(), signal.SIGKILL)
        return raw

    def listing():
        yield page(1)
        # Killed while reading the second page (the out-of-memory killer, a crash in a C library).
        yield Page(["P-2"], read=dying, total=2)

    with app.app_context():
        got, error = pages_read(listing())

    assert got == ["P-1"]
    assert isinstance(error, ProviderUnavailable) and "reader stopped" in str(error)


def test_a_run_that_stops_early_takes_its_reader_with_it(app, tmp_path):
    pid_file = tmp_path / "reader.pid"

    def listing():
        pid_file.write_text(str(os.getpid()))
        yield page(1)
        # A provider that stops answering: the reader would wait out its HTTP timeouts.
        time.sleep(600)
        yield page(2)

    with app.app_context(), pytest.raises(RuntimeError), reading_in_a_process(listing(), Connector(), read_page) as pages:
        next(pages)
        raise RuntimeError("the run stops: its job timed out")

    reader = int(pid_file.read_text())
    assert reader != os.getpid()
    wait_for(lambda: not os.path.exists(f"/proc/{reader}"), timeout=5, message="the reader gone")
