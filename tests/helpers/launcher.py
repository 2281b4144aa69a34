"""`make run`'s launcher as a test runs it: its own instance directory, ports and Redis, its
output read as it comes, and every process it started found by a marker in their environment."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from .paths import ROOT
from .waiting import wait_for

MARKER = "FLEXSYNC_RUN_MARKER"


def free_port_block(size: int) -> int:
    """A base port with `size` free ports after it, for the four sandboxes."""
    from demo.launcher import free_port

    for _ in range(50):
        base = free_port()
        sockets = []
        try:
            for offset in range(size):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no block of free ports on loopback")


class Launcher:
    """`python -m demo.launcher` started the way `make run` starts it."""

    def __init__(self, instance_dir: Path, **env: str) -> None:
        from demo.launcher import free_port

        self.marker = str(uuid.uuid4())
        self.port = free_port()
        self.sandbox_base = free_port_block(4)
        environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        environment.update(
            PORT=str(self.port),
            SANDBOX_PORT_BASE=str(self.sandbox_base),
            FLEXSYNC_INSTANCE_DIR=str(instance_dir),
            **{MARKER: self.marker},
            **env,
        )
        self.database_url = f"sqlite:///{instance_dir / 'flexsync.db'}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "demo.launcher"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Every process writes to this pipe: it is read all along, so that none blocks on it.
        self.lines: list[str] = []
        threading.Thread(target=self._read_output, daemon=True).start()

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sandboxes(self) -> dict[str, str]:
        return {p: f"http://127.0.0.1:{self.sandbox_base + i}" for i, p in enumerate(("securex", "liantis", "connexie", "hris"))}

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_output(self, text: str, timeout: float) -> None:
        def printed() -> bool:
            assert self.process.poll() is None or text in self.output(), f"the launcher stopped:\n{self.output()}"
            return text in self.output()

        wait_for(printed, timeout=timeout, message=f"{text!r} in the launcher's output")

    def processes(self) -> list[int]:
        """Every live process the launcher started, theirs included (work horses, gunicorn workers)."""
        return [pid for pid in _pids() if self.marker in _environment(pid) and _state(pid) != "Z"]

    def workers(self) -> list[int]:
        """The `rq worker` processes the launcher started: each leads a session of its own."""
        return [pid for pid in self.processes() if "rq worker" in _command_line(pid) and _session(pid) == pid]

    def work_horses(self) -> list[int]:
        """The workers' forked children, each in a process group of its own but not its own session."""
        return [pid for pid in self.processes() if "rq worker" in _command_line(pid) and _session(pid) != pid]

    def redis_url(self) -> str:
        return next(line.split()[-1] for line in self.lines if line.strip().startswith("Redis "))

    def stop(self) -> None:
        """SIGKILL whatever is left, so that a failed test leaves nothing running either."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for pid in self.processes():
            os.kill(pid, signal.SIGKILL)


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _read(pid: int, name: str) -> bytes:
    try:
        return (Path("/proc") / str(pid) / name).read_bytes()
    except OSError:
        return b""


def _environment(pid: int) -> str:
    return _read(pid, "environ").decode(errors="replace")


def _command_line(pid: int) -> str:
    return _read(pid, "cmdline").replace(b"\0", b" ").decode(errors="replace")


def _stat(pid: int) -> list[str]:
    """state, parent, process group, session, … (proc(5)); a process gone reads as a zombie."""
    stat = _read(pid, "stat").decode(errors="replace")
    return stat.rsplit(")", 1)[-1].split() if ")" in stat else ["Z", "0", "0", "0"]


def _state(pid: int) -> str:
    return _stat(pid)[0]


def _session(pid: int) -> int:
    return int(_stat(pid)[3])
