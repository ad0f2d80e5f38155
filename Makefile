# The two commands of the README:
#   make run    set up, then a mock interview in the terminal (SQLite, in-process Redis stand-in,
#               offline question bank and scorer: no keys, no servers); the web companion runs
#               in the background on http://127.0.0.1:8000
#   make test   set up (dev tools, chromium), start MariaDB/Redis if down, run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := slack,discord,web,openai,dev

.PHONY: setup run web stop test test-fast test-integration test-e2e test-infra fuzz-api check lint typecheck infra-lint assets clean

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e ".[$(EXTRAS)]"
	@touch $@

# Front-end assets (chart.js) come from npm and are copied into web/static/vendor/.
assets:
	@scripts/build-assets.sh

run: setup
	@scripts/demo.sh $(ARGS)

web: setup
	$(BIN)/interviewbot web

stop:
	@scripts/demo.sh --stop

test: setup
	@scripts/ensure-chromium.sh
	@scripts/ensure-services.sh
	INTERVIEWBOT_REQUIRE_SERVICES=1 $(BIN)/pytest -q

# The tiers (markers are set in tests/conftest.py by what a test needs):
#   test-fast         unit, adapter and surface tests on fakes and the embedded default, no
#                     services and no Lambda builds (1,732 tests, spread over the cores by
#                     pytest-xdist). 2026-12-06 13:18-13:25 UTC on the 2-core machine: 45-48 s
#                     wall, 74-78 CPU-s (5 runs); the suite as it was at 72c4d35 (1,720 tests)
#                     took 62-65 s, 106-112 CPU-s in the same minutes. This VM's speed swings:
#                     the same code took 54-68 s at 12:55-13:05 (BENCHMARKS.md, "Test tiers").
#   test-integration  the same guarantees on the real MariaDB + Redis (and a Redis Cluster)
#   test-e2e          browser tests in Debian's chromium, and the installed command in fresh
#                     processes (tests asking for `fresh_process`)
#   test-infra        Lambda artefact builds and deploy-file checks
FAST := not integration and not infra and not e2e

test-fast: setup
	$(BIN)/pytest -q -n auto --dist worksteal -m "$(FAST)"

test-integration: setup
	@scripts/ensure-services.sh
	INTERVIEWBOT_REQUIRE_SERVICES=1 $(BIN)/pytest -q -m "integration and not e2e"

test-e2e: setup
	@scripts/ensure-chromium.sh
	@scripts/ensure-services.sh
	INTERVIEWBOT_REQUIRE_SERVICES=1 $(BIN)/pytest -q -m e2e

test-infra: setup
	$(BIN)/pytest -q -m infra

# schemathesis against /api/openapi.json as a signed-in user, on SQLite and on MariaDB: fails on
# any 5xx or any answer that does not match the schema (scripts/fuzz_api.py; about 90 s).
FUZZ_EXAMPLES ?= 60
fuzz-api: setup
	@scripts/ensure-services.sh
	$(BIN)/python scripts/fuzz_api.py --database all --max-examples $(FUZZ_EXAMPLES)

check: lint typecheck infra-lint

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

infra-lint:
	infra/scripts/lint_template.sh
	infra/scripts/lint_checkov.sh
	infra/scripts/lint_workflows.sh

clean:
	rm -rf $(VENV) .data .cache node_modules web/static/vendor test-output
