"""The people of `make bench`'s page phases, as browsers: logged in through the form, then
timing each request they send.

The HR admins who watch a sync run live in processes of their own, `ADMINS_PER_PROCESS`
threads each. They were fifty threads of the benchmark's interpreter, which also keeps
the sync going: a response waited for that interpreter's lock before its time was taken,
and gunicorn's own log put the progress fragment's p95 at 12 ms while the admins measured
27 ms. Browsers are programs of their own; what is measured is the server's answer.
They are forked before the benchmark starts any thread of its own, and touch nothing of it
but the shared run id: spawned, each imported the whole benchmark again (about a second of
CPU each, on the machine under test).
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import requests

# The run page polls its progress partial every second (templates/syncs/_progress.html).
POLL_S = 1.0
# Each admin also opens the history and the employee list every PAGES_EVERY polls.
PAGES_EVERY = 5
ADMINS_PER_PROCESS = 5
CONTEXT = multiprocessing.get_context("fork")
# A process that has not logged in or reported by then has failed.
PROCESS_TIMEOUT_S = 300.0
PROGRESS_HEADERS = {"HX-Request": "true"}


class SharedRunId(Protocol):
    """A `CONTEXT.Value("q")`: the run the admins watch, changed by the benchmark as syncs follow each other."""

    value: int


@dataclass
class Latencies:
    """Seconds per request, by kind, and what went wrong."""

    by_kind: dict[str, list[float]] = field(default_factory=lambda: {"progress": [], "history": [], "employees": []})
    failures: list[str] = field(default_factory=list)

    def add(self, other: Latencies) -> None:
        for kind, seconds in other.by_kind.items():
            self.by_kind.setdefault(kind, []).extend(seconds)
        self.failures.extend(other.failures)


def logged_in(web: str, email: str = "hr@demo.test") -> requests.Session:
    """An HR admin's browser session (or customer success's), logged in through the form like a person."""
    session = requests.Session()
    page = session.get(f"{web}/login", timeout=30).text
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    answer = session.post(
        f"{web}/login", data={"email": email, "password": "demo", "csrf_token": token}, timeout=30, allow_redirects=False
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login failed with {answer.status_code}")
    return session


def timed_get(
    session: requests.Session, url: str, kind: str, latencies: Latencies, headers: dict[str, str] | None = None
) -> None:
    started = time.perf_counter()
    try:
        response = session.get(url, headers=headers, timeout=30, allow_redirects=False)
        ok = response.status_code == 200
        problem = f"{kind}: {response.status_code}"
    except requests.RequestException as error:
        ok, problem = False, f"{kind}: {error}"
    latencies.by_kind.setdefault(kind, []).append(time.perf_counter() - started)
    if not ok:
        latencies.failures.append(problem)


def warm_up(web: str, run_id: int, web_workers: int) -> None:
    """Admins work all day: a page is not measured on a web worker's first visit, which
    compiles its templates and queries (each worker gets a few passes, at random)."""
    session = logged_in(web)
    for _ in range(2 * web_workers):
        for path, headers in watched_pages(web, run_id):
            session.get(path, headers=headers, timeout=30)


def watched_pages(web: str, run_id: int) -> list[tuple[str, dict[str, str] | None]]:
    return [
        (f"{web}/syncs/{run_id}/progress", PROGRESS_HEADERS),
        (f"{web}/integrations/securex/history", None),
        (f"{web}/employees", None),
    ]


def watch_in_processes(web: str, watched_run: SharedRunId, admins: int, rounds: int, on_ready: Callable[[], None]) -> Latencies:
    """`admins` admins, each polling the run `watched_run` names for `rounds` seconds.
    Everyone logs in first; `on_ready()` runs then, and the watching starts when it returns."""
    results, ready, go = CONTEXT.Queue(), CONTEXT.Queue(), CONTEXT.Event()
    groups = [range(first, min(first + ADMINS_PER_PROCESS, admins)) for first in range(0, admins, ADMINS_PER_PROCESS)]
    processes = [
        CONTEXT.Process(target=_watch, args=(web, watched_run, group.start, len(group), admins, rounds, ready, go, results))
        for group in groups
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=PROCESS_TIMEOUT_S)
        on_ready()
        go.set()
        every = Latencies()
        for _ in processes:
            every.add(results.get(timeout=PROCESS_TIMEOUT_S))
        return every
    except queue.Empty:
        raise RuntimeError("an admin process did not log in or report in time") from None
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def _watch(web: str, watched_run: SharedRunId, first: int, count: int, admins: int, rounds: int, ready, go, results) -> None:
    sessions = [logged_in(web) for _ in range(count)]
    ready.put(True)
    go.wait()
    latencies = Latencies()
    admins_here = [
        threading.Thread(target=_admin_loop, args=(session, web, first + n, admins, rounds, watched_run, latencies))
        for n, session in enumerate(sessions)
    ]
    for admin in admins_here:
        admin.start()
    for admin in admins_here:
        admin.join()
    results.put(latencies)


def _admin_loop(
    session: requests.Session, web: str, index: int, admins: int, rounds: int, watched_run: SharedRunId, latencies: Latencies
) -> None:
    """One admin watching the run: the progress partial every second, pages now and then.

    Admins start spread over one poll interval, as independent browsers are: started
    together they would stay in lockstep, 50 requests at the same instant every second.
    """
    time.sleep(POLL_S * index / admins)
    for round_ in range(rounds):
        began = time.perf_counter()
        (progress, progress_headers), *pages = watched_pages(web, watched_run.value)
        timed_get(session, progress, "progress", latencies, progress_headers)
        if round_ % PAGES_EVERY == index % PAGES_EVERY:
            for (url, headers), kind in zip(pages, ("history", "employees"), strict=True):
                timed_get(session, url, kind, latencies, headers)
        time.sleep(max(0.0, POLL_S - (time.perf_counter() - began)))
