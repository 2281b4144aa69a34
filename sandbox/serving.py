"""Serve sandbox apps on real sockets from threads of the current process."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from sandbox import connexie, hris, liantis, securex
from sandbox.common import DatasetFactory, dataset_factory


class RunningSandbox:
    """One provider app on a werkzeug server thread; `port=0` picks a free port."""

    def __init__(self, name: str, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.name = name
        self.app = app
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"sandbox-{name}", daemon=True
        )

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


PROVIDERS = ("securex", "liantis", "connexie", "hris")


def build_apps(
    *,
    size: int = 200,
    seed: int = 1,
    companies: int = 3,
    dataset: str | None = None,
    datasets: dict[str, str] | None = None,
    redirect_uris: list[str] | None = None,
    faults: dict[str, dict] | None = None,
) -> dict[str, Flask]:
    """One app per provider, each with its own copy of its dataset: `datasets[provider]`,
    else `dataset`, else generated people (the same for every provider)."""
    factories: dict[str | None, DatasetFactory] = {}

    def make_dataset(provider: str) -> DatasetFactory:
        path = (datasets or {}).get(provider) or dataset
        if path not in factories:
            factories[path] = dataset_factory(seed=seed, size=size, companies=companies, path=path)
        return factories[path]

    faults = faults or {}
    liantis_options = {"redirect_uris": redirect_uris} if redirect_uris else {}
    return {
        "securex": securex.create_app(make_dataset("securex"), faults=faults.get("securex")),
        "liantis": liantis.create_app(make_dataset("liantis"), faults=faults.get("liantis"), **liantis_options),
        "connexie": connexie.create_app(make_dataset("connexie"), faults=faults.get("connexie")),
        "hris": hris.create_app(make_dataset("hris"), faults=faults.get("hris")),
    }


def start_all(apps: dict[str, Flask], host: str = "127.0.0.1", ports: dict[str, int] | None = None) -> dict[str, RunningSandbox]:
    ports = ports or {}
    running: dict[str, RunningSandbox] = {}
    try:
        for name, app in apps.items():
            running[name] = RunningSandbox(name, app, host, ports.get(name, 0)).start()
    except OSError:
        stop_all(running)
        raise
    return running


def stop_all(running: dict[str, RunningSandbox]) -> None:
    for sandbox in running.values():
        sandbox.stop()
