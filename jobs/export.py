"""Thin RQ entry point for exports of worked hours; the work is in `portal.hours.connexie_export`."""

from __future__ import annotations

from jobs.app import run_closing_on_last_crash


def run_export(export_id: int) -> None:
    from portal.hours import connexie_export

    run_closing_on_last_crash(connexie_export.execute_export, connexie_export.close_after_crash, export_id)
