"""Where things are: the repository, the tests folder and the screenshots folder."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
# Screenshots of the browser tests (git-ignored).
ARTIFACTS = TESTS / "artifacts"
