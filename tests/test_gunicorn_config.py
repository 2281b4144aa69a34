"""gunicorn.conf.py as gunicorn itself reads it, in front of a probe app (tests/helpers/gc_probe.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from demo.launcher import free_port
from helpers.gc_probe import LOADED_WITH_THE_APP
from helpers.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_web_worker_leaves_the_app_it_loaded_out_of_its_garbage_collections():
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "tests.helpers.gc_probe:probe",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def answer() -> str | None:
            try:
                return requests.get(f"http://127.0.0.1:{port}/", timeout=2).text
            except requests.ConnectionError:
                return None

        frozen = int(wait_for(answer, timeout=30, message="gunicorn to answer"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert frozen > len(LOADED_WITH_THE_APP)
