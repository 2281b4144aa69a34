"""`python -m sandbox` serves all four providers and stops cleanly on a signal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
import requests

from sandbox.dataset import load_dataset


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_runner_prints_four_urls_and_stops_on_a_signal(stop_signal, tmp_path):
    ports = [arg for provider in ("securex", "liantis", "connexie", "hris") for arg in (f"--{provider}-port", "0")]
    runner = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--size", "30", *ports], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        sandboxes = dict(runner.stdout.readline().strip().split(": ", 1) for _ in range(4))
        assert set(sandboxes) == {"securex", "liantis", "connexie", "hris"}
        assert all(url.startswith("http://127.0.0.1:") for url in sandboxes.values())
        assert requests.get(f"{sandboxes['hris']}/_admin/faults", timeout=10).json() == {}
        runner.send_signal(stop_signal)
        assert runner.wait(timeout=10) == 0
        assert "sandboxes stopped" in runner.stdout.read()
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()


def test_the_runner_dumps_a_dataset_it_can_load_again(tmp_path):
    target = tmp_path / "dataset.json"
    subprocess.run(
        [sys.executable, "-m", "sandbox", "--size", "10", "--companies", "2", "--dump", str(target)],
        check=True,
        capture_output=True,
    )
    assert len(json.loads(target.read_text())["companies"]) == 2
    assert len(load_dataset(target).companies[1]["employees"]) == 10
