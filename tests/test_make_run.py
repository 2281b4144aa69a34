"""`make run` on one machine: everything comes up, and one Ctrl-C leaves no process behind."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from demo.launcher import free_port

ROOT = Path(__file__).resolve().parent.parent


def processes_with_marker(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _free_port_block(size: int) -> int:
    """A base port with `size` free ports after it, for the four sandboxes."""
    import socket

    for _ in range(50):
        base = free_port()
        sockets = []
        try:
            for offset in range(size):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no block of free ports on loopback")


@pytest.mark.launcher
def test_the_whole_system_starts_and_stops_cleanly(tmp_path):
    marker = f"FLEXSYNC_RUN_MARKER={uuid.uuid4()}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "PORT": str(port),
            "SANDBOX_PORT_BASE": str(_free_port_block(4)),
            "FLEXSYNC_INSTANCE_DIR": str(tmp_path),
            marker.split("=")[0]: marker.split("=")[1],
        }
    )
    launcher = subprocess.Popen(
        [sys.executable, "-m", "demo.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = launcher.stdout.readline()
            output.append(line)
            if "Press Ctrl-C to stop everything." in line:
                break
            assert launcher.poll() is None, "".join(output)
        printed = "".join(output)
        assert f"http://127.0.0.1:{port}" in printed
        assert "hr@demo.test" in printed and "cs@flexsync.test" in printed
        response = requests.get(f"http://127.0.0.1:{port}/login", timeout=30)
        assert response.status_code == 200
        assert "Log in to Flexsync" in response.text
        sandbox_urls = re.findall(r"(http://127\.0\.0\.1:\d+) \(sandbox\)", printed)
        assert len(sandbox_urls) == 4
        for url in sandbox_urls:
            assert requests.get(f"{url}/_admin/faults", timeout=30).status_code == 200
        children = processes_with_marker(marker)
        assert len(children) >= 5, "launcher, redis, web, worker and cron should all run"
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.communicate(timeout=30)
    time.sleep(0.5)
    assert processes_with_marker(marker) == []
