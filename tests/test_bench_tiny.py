"""`make bench` at tiny sizes, so the benchmark cannot rot: it must measure real, correct
syncs. Only counts and outcomes are checked here; time is `make bench`'s business."""

from __future__ import annotations

import pytest

from bench.run import TINY, run_benchmark


@pytest.mark.slow
def test_the_tiny_benchmark_syncs_everything_once_and_writes_nothing_on_a_resync(tmp_path):
    results = run_benchmark(TINY, tmp_path)
    figures, checks = results.figures, results.checks

    assert figures["employees"] == TINY.employees
    assert checks["full_status"] == "success"
    assert checks["full_created"] == checks["synced_employees"] == checks["expected_employees"] > 0
    assert checks["preview_error"] is None and checks["preview_created"] == checks["full_created"]
    assert figures["preview_s"] > 0
    assert checks["nochange_status"] == "success"
    assert checks["nochange_unchanged"] == checks["expected_employees"]
    assert figures["rows_written_nochange"] == 0
    # A resync only logs the people it skips again (no active contract), nothing else.
    assert checks["report_lines_nochange"] == checks["nochange_skipped"]
    # Every round's first sync (a new tenant's after the first) creates the same people.
    assert checks["trial_full_created"] == [checks["full_created"]] * TINY.trials
    assert figures["least_s"] > 0
    # The peer loads the same sandbox whenever dlt is installed (the `bench` extra only).
    if figures["dlt"] != "not installed":
        assert figures["dlt_employees"] == TINY.employees
        assert figures["dlt_full_s"] > 0 and figures["dlt_resync_changed_s"] > 0
    assert checks["changed_status"] == "success"
    assert checks["changed_updated"] == checks["raised"] > 0
    # The sync of the changes only lists and updates the people changed, and with nothing
    # changed writes nothing, not even a report line.
    assert (checks["delta_kind"], checks["delta_status"]) == ("delta", "success")
    assert checks["delta_fetched"] == checks["delta_updated"] == checks["delta_raised"] == TINY.delta_changed
    assert checks["delta_nochange_kind"] == "delta"
    assert figures["rows_written_delta_nochange"] == checks["report_lines_delta_nochange"] == 0

    assert checks["failed_requests"] == 0, checks["failures"]
    assert checks["requests"] >= TINY.admins * TINY.admin_rounds
    assert checks["syncs_closed_during_load"] == checks["syncs_during_load"] >= 1

    assert figures["fleet_tenants"] == TINY.fleet_tenants
    assert checks["fleet_runs"] == {"success": TINY.fleet_tenants}
    assert checks["fleet_employees"] == checks["fleet_expected_employees"]

    assert checks["big_status"] == "success" and checks["big_created"] > 0
    assert figures["worker_peak_rss_mb"] > 0
    assert figures["db"] in ("sqlite", "postgresql")
