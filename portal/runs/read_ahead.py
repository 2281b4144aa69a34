"""The provider's next page, fetched in a thread while the run writes the current one."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from queue import Full, Queue

from flask import current_app

from portal.providers.base import Page

# How often the read-ahead thread checks whether the run still wants its page.
HANDOFF_POLL_S = 0.5


@contextmanager
def reading_ahead(pages: Iterator[Page]) -> Iterator[Iterator[Page]]:
    """The provider's next page is fetched, in a thread, while this one is written.

    Pages come out in order, each once; an error of the provider is raised where its
    page would have come, after every page before it. The thread has its own app
    context (its own database session) and the caller's tenant; a run that stops early
    lets it go at its next page.
    """
    app = current_app._get_current_object()
    handoff: Queue[tuple[Page | None, BaseException | None]] = Queue(maxsize=1)
    stopping = threading.Event()

    def hand_over(item: tuple[Page | None, BaseException | None]) -> bool:
        while not stopping.is_set():
            try:
                handoff.put(item, timeout=HANDOFF_POLL_S)
                return True
            except Full:
                continue
        return False

    def fetch() -> None:
        with app.app_context():
            try:
                for page in pages:
                    if not hand_over((page, None)):
                        return
                hand_over((None, None))
            except BaseException as error:  # noqa: BLE001 - handed to the run, raised there
                hand_over((None, error))

    def handed_over() -> Iterator[Page]:
        while True:
            page, error = handoff.get()
            if error is not None:
                raise error
            if page is None:
                return
            yield page

    threading.Thread(target=contextvars.copy_context().run, args=(fetch,), name="provider-read-ahead", daemon=True).start()
    try:
        yield handed_over()
    finally:
        stopping.set()
