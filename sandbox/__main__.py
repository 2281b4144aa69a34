"""`python -m sandbox`: all four provider sandboxes in one process, until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import signal
import threading

from sandbox.common import dataset_factory
from sandbox.serving import PROVIDERS, build_apps, start_all, stop_all

DEFAULT_PORTS = {"securex": 5101, "liantis": 5102, "connexie": 5103, "hris": 5104}
CALLBACK_PATH = "/integrations/liantis/callback"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    for provider in PROVIDERS:
        parser.add_argument(f"--{provider}-port", type=int, default=DEFAULT_PORTS[provider])
    parser.add_argument("--size", type=int, default=200, help="employees per company")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--companies", type=int, default=3)
    parser.add_argument("--dataset", help="a dataset JSON file instead of generated data")
    for provider in PROVIDERS:
        # `--securex-dataset=` (empty) is not given: the Procfile passes every one, set or not.
        parser.add_argument(f"--{provider}-dataset", metavar="FILE", help=f"the {provider} sandbox's own dataset file")
    parser.add_argument("--flexsync-url", default="http://127.0.0.1:5000", help="where Liantis consent redirects back to")
    parser.add_argument("--dump", metavar="FILE", help="write the dataset as JSON (to edit and pass to --dataset), then exit")
    parser.add_argument(
        "--faults",
        action="append",
        default=[],
        metavar="PROVIDER=JSON",
        help="start with fault knobs, e.g. liantis='{\"page_latency_ms\": 500}'",
    )
    return parser.parse_args(argv)


def parse_faults(values: list[str]) -> dict[str, dict]:
    faults = {}
    for value in values:
        provider, _, knobs = value.partition("=")
        if provider not in PROVIDERS:
            raise SystemExit(f"--faults: unknown provider {provider!r}")
        faults[provider] = json.loads(knobs)
    return faults


def dump(args: argparse.Namespace) -> None:
    dataset = dataset_factory(seed=args.seed, size=args.size, companies=args.companies, path=args.dataset)()
    with open(args.dump, "w", encoding="utf-8") as out:
        json.dump(dataset.to_json(), out, ensure_ascii=False, indent=2)
    print(f"dataset written to {args.dump}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.dump:
        dump(args)
        return
    apps = build_apps(
        size=args.size,
        seed=args.seed,
        companies=args.companies,
        dataset=args.dataset,
        datasets={provider: path for provider in PROVIDERS if (path := getattr(args, f"{provider}_dataset"))},
        redirect_uris=[args.flexsync_url.rstrip("/") + CALLBACK_PATH],
        faults=parse_faults(args.faults),
    )
    ports = {provider: getattr(args, f"{provider}_port") for provider in PROVIDERS}
    running = start_all(apps, args.host, ports)
    for name, sandbox in running.items():
        print(f"{name}: {sandbox.base_url}", flush=True)
    stop_requested = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop_requested.set())
    stop_requested.wait()
    stop_all(running)
    print("sandboxes stopped", flush=True)


if __name__ == "__main__":
    main()
