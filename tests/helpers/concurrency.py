"""Running the same work in several threads released at the same moment."""

from __future__ import annotations

import threading

# How many jobs `at_once` runs together unless told.
JOBS = 4


def at_once(work, count: int = JOBS) -> list[object]:
    """Run `work(i)` in `count` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        barrier.wait(timeout=10)
        try:
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the test inspects what each job met
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
