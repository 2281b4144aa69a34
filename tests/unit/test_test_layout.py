"""The layout of tests/ itself: fixtures come from conftest's plugins (tests/fixtures/),
shared functions from tests/helpers/; no file imports conftest or a test module."""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

from helpers.paths import TESTS

# pytest's default `python_files`: what it collects as test modules.
TEST_MODULE_PATTERNS = ("test_*", "*_test")
HELPER_PACKAGES = ("helpers", "fixtures")


def is_forbidden(module: str) -> bool:
    """`conftest` or a test module, anywhere in a dotted name (`tests.test_sync_runs` too)."""
    return any(part == "conftest" or any(fnmatch.fnmatch(part, p) for p in TEST_MODULE_PATTERNS) for part in module.split("."))


def forbidden_imports(source: str) -> list[tuple[int, str]]:
    """(line, imported name) of every import of conftest or of a test module, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if is_forbidden(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if is_forbidden(module):
                found.append((node.lineno, module))
            else:
                # `from tests import test_sync_runs`, `from . import conftest`
                found += [(node.lineno, f"{module}.{alias.name}".lstrip(".")) for alias in node.names if is_forbidden(alias.name)]
    return found


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "artifacts" not in p.relative_to(TESTS).parts)


def test_the_guard_sees_every_way_to_import_conftest_or_a_test_module():
    imports = """
from conftest import wait_for
import conftest
from test_sync_runs import finished_run
import tests.test_sync_runs
from tests import test_sync_runs
def later():
    from unit.test_sync_rules import synced_state
"""
    assert [line for line, _ in forbidden_imports(imports)] == [2, 3, 4, 5, 6, 8]
    assert forbidden_imports("from helpers.sync_runs import finished_run\nimport tests.helpers.pages\nimport pytest\n") == []


def test_no_file_in_tests_imports_conftest_or_a_test_module():
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {name}"
        for path in python_files()
        for line, name in forbidden_imports(path.read_text())
    ]
    assert not offenders, (
        "tests import shared code from tests/helpers/ (`from helpers.<module> import ...`) and get fixtures "
        "by argument, never from conftest or another test module:\n" + "\n".join(offenders)
    )


def test_every_python_file_in_tests_is_a_test_module_a_conftest_a_fixture_or_a_helper():
    loose = [
        str(path.relative_to(TESTS.parent))
        for path in python_files()
        if path.relative_to(TESTS).parts[0] not in HELPER_PACKAGES
        and path.name != "conftest.py"
        and not any(fnmatch.fnmatch(path.stem, p) for p in TEST_MODULE_PATTERNS)
    ]
    assert not loose, (
        "shared code goes to tests/helpers/ (functions, classes) or tests/fixtures/ (fixtures, listed in "
        "tests/conftest.py's pytest_plugins), not next to the tests:\n" + "\n".join(loose)
    )
