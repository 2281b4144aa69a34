# Two commands for a newcomer: `make run` and `make test`. Everything else is a detail.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX_VERSION ?= 2.0.11

.PHONY: run test lint bench soak messages translations vendor-htmx clean

# soak, bench and capacity run on SQLite, or with DB=postgresql on a throwaway PostgreSQL
# cluster started for the run (installed first when missing).
DB ?= sqlite
ifeq ($(DB),postgresql)
ON_DB = bash scripts/install-system-packages.sh && bash scripts/with-postgres.sh
else
ON_DB = env -u DATABASE_URL
endif

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-demo: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[demo]'
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-lint: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[lint]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --width 100

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d portal/translations 2>&1 | grep -v '^$$' || true

run: $(VENV)/.installed-demo translations
	$(BIN)/python -m demo.launcher

# Ruff (lint and format check), mypy and the import-linter contracts (pyproject.toml).
lint: $(VENV)/.installed-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# `lint` is a prerequisite, so it runs (and must pass) before the suite.
test: $(VENV)/.installed-test translations lint
	bash scripts/install-system-packages.sh
	bash scripts/test.sh

# 50 admins pausing 1-5 s between clicks for 60 s while the nightly fleet sync runs, on SQLite
# unless DB=postgresql (a throwaway cluster, as for bench); figures in docs/reliability.md.
# Not in `make test`. The saturation figure: the same with `--no-pause`.
soak: $(VENV)/.installed-test translations
	$(ON_DB) $(BIN)/python scripts/soak.py --admins 50 --seconds 60

# The performance benchmark (docs/performance.md): SQLite unless DB=postgresql, which
# runs it on a throwaway PostgreSQL cluster. The last line printed is one JSON object.
bench: $(VENV)/.installed-bench translations
	$(ON_DB) $(BIN)/python -m bench.run

# The capacity model of the nightly run (docs/capacity.md): costs from real workers, a
# scaled-down night checked against the model, the workers 10,000 companies need. A few
# minutes; DB=postgresql as for bench. `BENCH_CAPACITY=1 make bench` runs it after the bench.
.PHONY: capacity
capacity: $(VENV)/.installed-bench translations
	$(ON_DB) $(BIN)/python -m bench.capacity

# Refresh the vendored htmx from the npm registry (pinned by HTMX_VERSION).
vendor-htmx:
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack --silent htmx.org@$(HTMX_VERSION) && tar xzf htmx.org-$(HTMX_VERSION).tgz
	cp .vendor-tmp/package/dist/htmx.min.js static/htmx.min.js
	cp .vendor-tmp/package/LICENSE static/htmx.LICENSE
	rm -rf .vendor-tmp

clean:
	rm -rf $(VENV) instance .pytest_cache tests/artifacts
