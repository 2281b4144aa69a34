"""The peer Flexsync is measured against (issue 21): dlt loading the same Securex sandbox.

dlt's `rest_api` source reads the same pages the sync reads (the same key in the same
header, 200 people a page, numbered pages until the answer's `pages`), and its pipeline
merges them on the primary key into SQLite through the `sqlalchemy` destination: the
employees in one table, their wage contracts in a child table dlt derives from the
nested list. Tuned as a dlt user would for speed on this 2-core machine:

- no full refresh: a reload merges into what the first load wrote, as a daily job does;
- the resource is `parallelized` (extraction in dlt's thread pool, not the main loop);
- one normalize worker (a process pool of two would share the 2 cores with the load and
  the sandbox, and pay its start-up on every run), and the extract, normalize and load
  buffers large enough that each table is one file;
- no progress bar, no runtime telemetry.

`bench/run.py` runs it interleaved with Flexsync's own syncs; `python -m bench.peer
[employees]` runs it alone. dlt is in the `bench` extra only: when it is not installed,
`available()` says so and the benchmark records "not installed".
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sandbox.securex import DEFAULT_API_KEY, MAX_PER_PAGE

# Every file of a load in one: the whole tenant is 10,000 people and ~12,000 contracts.
BUFFER_ITEMS = 100_000


def available() -> bool:
    return importlib.util.find_spec("dlt") is not None


def configure(workdir: Path) -> None:
    """dlt reads its settings from the environment, set once before it is imported."""
    os.environ.update(
        {
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "RUNTIME__LOG_LEVEL": "WARNING",
            "NORMALIZE__WORKERS": "1",
            "EXTRACT__WORKERS": "2",
            "LOAD__WORKERS": "1",
            "DATA_WRITER__BUFFER_MAX_ITEMS": str(BUFFER_ITEMS),
            "DATA_WRITER__FILE_MAX_ITEMS": str(BUFFER_ITEMS),
            "DLT_DATA_DIR": str(workdir / "dlt-data"),
        }
    )


@dataclass
class Load:
    seconds: float
    # Rows dlt's load step wrote, all tables (its own state and load tables left out).
    rows: int
    employees: int


class Peer:
    """One dlt pipeline into its own SQLite file: a first load, then reloads into it."""

    def __init__(self, workdir: Path, securex_url: str, company_id: str, name: str) -> None:
        import dlt

        configure(workdir)
        self.company_id = company_id
        self.securex_url = securex_url
        self.database = workdir / f"{name}.sqlite"
        self.database.unlink(missing_ok=True)
        self.pipeline = dlt.pipeline(
            pipeline_name=name,
            pipelines_dir=str(workdir / "dlt-pipelines"),
            destination=dlt.destinations.sqlalchemy(credentials=f"sqlite:///{self.database}"),
            dataset_name="securex",
            progress=None,
        )
        self.pipeline.drop()

    def source(self):
        from dlt.sources.rest_api import rest_api_source

        return rest_api_source(
            {
                "client": {
                    "base_url": f"{self.securex_url}/api/v1/",
                    "auth": {"type": "api_key", "name": "X-Api-Key", "api_key": DEFAULT_API_KEY, "location": "header"},
                    "paginator": {"type": "page_number", "base_page": 1, "page_param": "page", "total_path": "pages"},
                },
                "resource_defaults": {"primary_key": "id", "write_disposition": "merge", "parallelized": True},
                "resources": [
                    {
                        "name": "employees",
                        "endpoint": {
                            "path": f"companies/{self.company_id}/employees",
                            "params": {"per_page": MAX_PER_PAGE},
                            "data_selector": "items",
                        },
                    }
                ],
            }
        )

    def load(self) -> Load:
        """One run of the pipeline: extract, normalize, load, as `pipeline.run` does."""
        started = time.perf_counter()
        info = self.pipeline.run(self.source())
        seconds = time.perf_counter() - started
        info.raise_on_failed_jobs()
        counts = self.pipeline.last_trace.last_normalize_info.row_counts
        rows = sum(count for table, count in counts.items() if not table.startswith("_dlt"))
        return Load(seconds, rows, counts.get("employees", 0))


class Trials:
    """The peer's side of `bench/run.py`'s rounds: each first load into a new pipeline and
    database, each reload into the latest of them."""

    def __init__(self, workdir: Path, securex_url: str, company_id: str) -> None:
        from importlib.metadata import version

        self.workdir, self.securex_url, self.company_id = workdir, securex_url, company_id
        self.version = f"dlt {version('dlt')}"
        self.firsts = 0
        self.latest: Peer | None = None

    def first(self) -> Load:
        self.firsts += 1
        self.latest = Peer(self.workdir, self.securex_url, self.company_id, f"first_{self.firsts}")
        return self.latest.load()

    def reload(self) -> Load:
        if self.latest is None:
            raise RuntimeError("a reload needs a first load")
        return self.latest.load()


def main(employees: int) -> None:
    from bench.processes import Children, start_sandboxes
    from sandbox.testing import raise_salaries

    with tempfile.TemporaryDirectory(prefix="flexsync-peer-") as scratch:
        workdir = Path(scratch)
        children = Children(workdir)
        try:
            url = start_sandboxes(children, "sandbox", employees, 1)["securex"]
            peer = Peer(workdir, url, "C001", "peer")
            for label in ("first load", "no-change reload"):
                print(f"{label:<20}{peer.load()}", flush=True)
            raise_salaries(url, "C001", 10.0)
            print(f"{'10 % changed':<20}{peer.load()}", flush=True)
        finally:
            children.stop_all()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
