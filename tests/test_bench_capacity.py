"""The capacity model (`bench/capacity.py`, docs/capacity.md): its arithmetic on numbers
worked out by hand, and a tiny night through a real worker whose time the measured costs
must account for. No figure of the machine's speed is asserted."""

from __future__ import annotations

import statistics

import pytest

from bench.capacity import (
    PROVIDER_SHARES,
    Company,
    Cost,
    fit,
    fleet,
    lower_bound_s,
    night,
    play_night,
    run_seconds,
    size_mix,
    stage,
    with_page_latency,
    workers_needed,
)

CAPS = {"securex": 4, "liantis": 2, "connexie": 4, "hris": 4}


def test_the_least_squares_line_gives_the_fixed_cost_and_the_cost_per_employee():
    cost = fit([(10, 0.12), (100, 0.21), (1000, 1.11), (100, 0.21)])

    assert cost.fixed_s == pytest.approx(0.11)
    assert cost.per_employee_s == pytest.approx(0.001)
    assert cost.of(2000) == pytest.approx(2.11)
    with pytest.raises(ValueError, match="two sizes"):
        fit([(50, 0.1), (50, 0.2)])


def test_one_worker_first_enqueues_the_night_then_runs_it_run_after_run():
    runs = [("securex", 2.0), ("liantis", 3.0), ("hris", 1.0)]

    assert play_night(runs, workers=1, caps=CAPS, enqueue_s=0.5) == pytest.approx(1.5 + 6.0)


def test_a_second_worker_starts_each_run_as_soon_as_it_is_enqueued():
    runs = [("securex", 0.5)] * 4

    # Enqueued at 1, 2, 3 and 4 s by the first worker; the second ends the last at 4.5 s.
    assert play_night(runs, workers=2, caps=CAPS, enqueue_s=1.0) == pytest.approx(4.5)


def test_liantis_runs_two_at_once_however_many_workers_wait():
    liantis = [("liantis", 10.0)] * 4
    others = [("securex", 1.0)] * 4

    assert play_night(liantis, workers=9, caps=CAPS, enqueue_s=0) == pytest.approx(20.0)
    # The other providers' runs pass the waiting Liantis runs by.
    assert play_night(liantis + others, workers=9, caps=CAPS, enqueue_s=0) == pytest.approx(20.0)
    assert lower_bound_s(liantis + others, workers=9, caps=CAPS) == pytest.approx(20.0)


def test_the_fewest_workers_that_end_the_night_by_the_deadline():
    runs = [("securex", 10.0)] * 6 + [("hris", 10.0)] * 6

    # One worker enqueues in no time, then: 120, 60, 40, 30 s for 1 to 4 workers.
    assert workers_needed(runs, CAPS, enqueue_s=0, deadline_s=45) == 3
    assert workers_needed(runs, CAPS, enqueue_s=0, deadline_s=30) == 4
    # Liantis alone, two at once: 40 s whatever the workers, never 30.
    assert workers_needed([("liantis", 10.0)] * 8, CAPS, enqueue_s=0, deadline_s=30) is None


def test_slow_pages_cost_each_run_its_pages_times_the_latency():
    companies = [Company("liantis", 250), Company("securex", 250)]
    costs = {"liantis": Cost(0.1, 0.001), "securex": Cost(0.1, 0.001)}

    runs = with_page_latency(companies, costs, {"liantis": 0.5}, {"liantis": 100, "securex": 200})

    assert runs == [("liantis", pytest.approx(0.35 + 3 * 0.5)), ("securex", pytest.approx(0.35))]
    assert run_seconds(companies, costs) == [("liantis", pytest.approx(0.35)), ("securex", pytest.approx(0.35))]


def test_the_size_mix_adds_up_to_the_night_with_many_small_companies_and_a_few_large():
    sizes = size_mix(10_000, 2_000_000)

    assert sum(sizes) == 2_000_000 and min(sizes) >= 1 and max(sizes) <= 50_000
    assert statistics.median(sizes) < 0.6 * statistics.mean(sizes)
    providers = [c.provider for c in fleet(1000, 20_000)]
    assert {p: providers.count(p) / 1000 for p in PROVIDER_SHARES} == pytest.approx(PROVIDER_SHARES)


@pytest.mark.slow
def test_a_tiny_night_of_every_provider_syncs_everyone_and_its_runs_account_for_its_time(tmp_path):
    """One worker does everything one after another, so the nightly job's enqueueing and
    every run's cost must add up to the night's time; what is left is the wait for the
    worker to take the first job and for the bench to see the last run closed."""
    from bench.processes import Children, start_redis

    companies = [Company(provider, size) for size in (3, 30) for provider in CAPS]
    children = Children(tmp_path)
    try:
        redis_url = start_redis(children, tmp_path)
        with stage("tiny", companies, tmp_path, redis_url, workers=1) as st:
            measured, order, cycles = night(st, workers=1)
    finally:
        children.stop_all()

    assert measured.statuses == {"success": len(companies)}
    assert sorted(order, key=companies.index) == companies
    assert len(cycles) == len(companies)
    accounted = measured.enqueue_s * len(companies) + sum(seconds for _, seconds in cycles)
    assert accounted == pytest.approx(measured.measured_s, rel=0.15, abs=0.5)
    # Everyone listed with a running contract is synced: on the scale of the people listed.
    assert 0 < measured.database["rows_employees"] <= sum(c.employees for c in companies)
