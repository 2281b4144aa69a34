"""gunicorn settings shared by `make run`, `make bench` and the deployment in README.md
(gunicorn reads this file from the directory it starts in)."""

worker_class = "gthread"
threads = 4
# The run page polls its progress every second. With the 2-second default, a connection
# whose next request waited in a busy worker's queue was closed under it ("connection
# reset by peer"); idle connections now live well beyond any poll interval.
keepalive = 10
