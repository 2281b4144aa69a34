"""Waiting for something observable instead of sleeping blindly."""

from __future__ import annotations


def wait_for(condition, timeout: float = 30.0, interval: float = 0.05, message: str = "condition"):
    """Wait for something observable (a row, a port) instead of sleeping blindly."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")
