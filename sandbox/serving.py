"""Serve sandbox apps on real sockets from threads of the current process."""
from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class RunningSandbox:
    """One provider app on a werkzeug server thread; `port=0` picks a free port."""

    def __init__(self, name: str, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.name = name
        self.app = app
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"sandbox-{name}", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.server.host}:{self.server.server_port}"

    def start(self) -> RunningSandbox:
        self.thread.start()
        return self

    def stop(self) -> None:
        # Wake sleeping "hang" and latency requests first so shutdown is prompt.
        self.app.extensions["sandbox"].stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
