"""gunicorn settings shared by `make run`, `make bench` and the deployment in README.md
(gunicorn reads this file from the directory it starts in)."""

import gc

worker_class = "gthread"
threads = 4
# The run page polls its progress every second. With the 2-second default, a connection
# whose next request waited in a busy worker's queue was closed under it ("connection
# reset by peer"); idle connections now live well beyond any poll interval.
keepalive = 10


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's hook
    """The app a worker has just loaded lives as long as the worker: out of the cycle
    collector's sight, so that a full collection walks only what requests left behind
    (it walked the app's ~150,000 objects too: 90-200 ms, every thread of the worker
    waiting, a few times a minute under the load test)."""
    gc.freeze()
