"""The provider's pages fetched and read in a process of their own, on another core.

A first sync of 10,000 people spends about 0.3 s fetching, decoding and reading records
and digesting them (docs/performance.md): work that needs nothing of the database. In a
thread it only took turns with the planning and the writes (one interpreter lock);
here it runs beside them. Each page comes back read, its unchanged records already
counted out: the records to plan, pickled, and the page's split.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import datetime
from multiprocessing.connection import Connection

from flask import Flask, current_app

from portal.providers.base import (
    Connector,
    Credentials,
    EmployeeRecord,
    Page,
    ProviderError,
    ProviderUnavailable,
    RecordError,
)
from portal.runs.read_ahead import reading_ahead
from portal.sync.digest import PageSplit

# How long a reader that was told to stop may take before it is killed.
STOP_WAIT_S = 5.0


@dataclass(frozen=True, slots=True)
class ReadPage:
    """One page of the provider, split and read."""

    split: PageSplit
    # The records of `split.to_plan`, in that order.
    records: list[EmployeeRecord | RecordError]
    # Records the provider sent in the page, planned or not.
    received: int
    total: int | None
    as_of: datetime | None


# A page of the provider as the run reads it, given the provider IDs of the pages before it.
ReadOnePage = Callable[[Page, set[str]], ReadPage]


@contextmanager
def reading_in_a_process(listing: Iterator[Page], connector: Connector, read_page: ReadOnePage) -> Iterator[Iterator[ReadPage]]:
    """Pages come out in order, each once; an error of the provider is raised where its page
    would have come, after every page before it. What the connector learnt on the way (a
    refreshed token, the provider's 429 answers) is handed back to `connector`, whether the
    listing ended or failed. A run that stops early, or dies, takes the reader with it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    reader = context.Process(
        target=_read, args=(app, listing, connector, read_page, receiving, sending), name="provider-reader", daemon=True
    )
    reader.start()
    sending.close()

    ended = False

    def pages() -> Iterator[ReadPage]:
        nonlocal ended
        while True:
            try:
                message = receiving.recv()
            except EOFError:
                raise ProviderUnavailable(f"the provider reader stopped (exit code {reader.exitcode})") from None
            match message:
                case ReadPage():
                    yield message
                case ("end", credentials, rate_limited, error):
                    ended = True
                    _hand_back(connector, credentials, rate_limited)
                    if error is not None:
                        raise error
                    return

    try:
        yield pages()
    finally:
        receiving.close()
        if ended:
            reader.join(timeout=STOP_WAIT_S)
        if reader.is_alive():
            reader.kill()
        reader.join()


def _read(
    app: Flask, listing: Iterator[Page], connector: Connector, read_page: ReadOnePage, receiving: Connection, sending: Connection
) -> None:
    # Its parent's end closed here too, so that a parent that dies breaks the pipe at the
    # reader's next page; the parent's signal handlers (RQ's) are not the reader's.
    receiving.close()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from portal.extensions import db

    error: BaseException | None = None
    with app.app_context():
        # A token refresh saves through the database: on connections of its own, never on the parent's.
        db.engine.dispose(close=False)
        seen: set[str] = set()
        try:
            # The next page is asked for while this one is read: the provider's time to
            # answer is waited out beside the reading, not after it.
            with reading_ahead(listing) as pages:
                for page in pages:
                    sending.send(read_page(page, seen))
        except BrokenPipeError:
            return
        except Exception as failure:  # noqa: BLE001 - handed to the run, raised there
            if not isinstance(failure, ProviderError):
                failure.add_note(f"In the provider reader:\n{traceback.format_exc()}")
            error = failure
    # A run that stopped right after the last page is gone: nobody to tell.
    with suppress(BrokenPipeError):
        sending.send(("end", connector.credentials, connector.http.rate_limited, _picklable(error)))
    sending.close()


def _picklable(error: BaseException | None) -> BaseException | None:
    """The error as it crosses to the run; one that cannot (an exception whose constructor
    takes other arguments than its message) crosses as what the run makes of it."""
    if error is None:
        return None
    try:
        pickle.dumps(error)
        # What unpickling it on the other side does: its class called with its arguments.
        reduced = error.__reduce__()
        if isinstance(reduced, tuple):
            reduced[0](*reduced[1])
    except Exception:  # noqa: BLE001 - whatever the reason, it is told by its message
        kind = ProviderUnavailable if isinstance(error, ProviderUnavailable) else RuntimeError
        return kind(str(error))
    return error


def _hand_back(connector: Connector, credentials: Credentials, rate_limited: int) -> None:
    for item in fields(credentials):
        setattr(connector.credentials, item.name, getattr(credentials, item.name))
    connector.http.rate_limited = rate_limited
