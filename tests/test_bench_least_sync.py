"""`python -m bench.least_sync` at a tiny size: what it times must be what it claims."""

from __future__ import annotations

import pytest

from bench.least_sync import measure


@pytest.mark.slow
def test_the_least_sync_writes_the_same_rows_it_times_into_the_real_tables(tmp_path):
    seconds, rows = measure(120, tmp_path)

    assert rows["employees"] > 0 and rows["wage contracts"] > 0
    assert rows["report lines"] >= rows["employees"]
    for kind in ("employees", "wage contracts", "report lines"):
        assert rows[f"{kind} written"] == rows[kind]
    assert all(value > 0 for value in seconds.values())
    parts = ("fetch floor", "read records", "write into the schema", "report lines, bare")
    assert seconds["least (fetch, read, write into the schema, bare report)"] == pytest.approx(sum(seconds[p] for p in parts))
