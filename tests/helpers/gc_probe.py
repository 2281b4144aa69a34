"""A WSGI app for tests/test_gunicorn_config.py: it answers how many objects the
collector of its gunicorn worker leaves alone (`gc.get_freeze_count`)."""

import gc

# Objects held from the moment gunicorn loads the app, as Flexsync's app holds its own.
LOADED_WITH_THE_APP = [[n] for n in range(50_000)]


def probe(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(gc.get_freeze_count()).encode()]
