#!/usr/bin/env bash
# The whole suite: everything on SQLite, then the database tests again on a throwaway
# PostgreSQL server started on loopback for this run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== pytest on SQLite"
"$BIN/python" -m pytest "$@"

echo "== pytest on PostgreSQL"
bash scripts/with-postgres.sh "$BIN/python" -m pytest -m "not browser and not launcher" "$@"
