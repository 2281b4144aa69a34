"""Helpers shared by the tests: plain functions and classes, imported as `helpers.<module>`.

Tests import from here, never from conftest or from another test module; fixtures live
in `fixtures/` and reach the tests through conftest's `pytest_plugins`. Modules here
import each other relatively, so `tests.helpers.<module>` works too (bench/, gunicorn).
"""
