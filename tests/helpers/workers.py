"""A real `rq worker` process, as deployed, for the tests that run syncs."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .paths import ROOT


class Worker:
    """A real `rq worker` process, as deployed, sharing the test database, Redis and sandboxes."""

    def __init__(self, app: Flask, redis_url: str, sandboxes: dict[str, str], log_path: Path) -> None:
        import subprocess
        import sys

        env = dict(os.environ)
        env.update(
            FLEXSYNC_ENV="test",
            DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
            FLEXSYNC_ENCRYPTION_KEY=app.config["FLEXSYNC_ENCRYPTION_KEY"],
            REDIS_URL=redis_url,
            SMTP_HOST=app.config["SMTP_HOST"],
            SMTP_PORT=str(app.config["SMTP_PORT"]),
            # Small pages so page-level faults hit; quick give-ups so failures show fast.
            FLEXSYNC_PAGE_SIZE="25",
            PROVIDER_READ_TIMEOUT_S="2",
            PROVIDER_HTTP_ATTEMPTS="3",
            PROVIDER_MAX_BACKOFF_S="0.2",
            **{f"{provider.upper()}_URL": url for provider, url in sandboxes.items()},
        )
        self.log_path = log_path
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "rq"),
                "worker",
                "--url",
                redis_url,
                "-w",
                "jobs.worker.PreloadedWorker",
                "sync",
                "default",
            ],
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

    def horse_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        """A warm shutdown lets the job in hand finish; when it has not within 15 s, a second
        SIGTERM is RQ's cold shutdown, which kills the work horse too. A horse left running (it
        has a process group of its own) would go on syncing into the next test's database."""
        import contextlib
        import signal
        import subprocess

        for timeout in (15, 10):
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    continue
        if self.process.poll() is None:
            for horse in self.horse_pids():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(horse, signal.SIGKILL)
            self.process.kill()
            self.process.wait()
