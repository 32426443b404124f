# claimwatch: `make demo` and `make test` are the quick start; each sets up what it needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# flows run without a server start a temporary one: give it time on a busy machine
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_HOME ?= $(CURDIR)/var/prefect

.PHONY: demo test browser postgres lint typecheck eval bench bench-memory clean serve stop train-decision

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run: make PYTHON=python3 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@mkdir -p $(PREFECT_HOME)
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/claimwatch demo

# Debian's chromium for the report's browser test (apt-get as root); a no-op once installed.
browser:
	@bash .ci/browser.sh

# Debian's postgresql for the DuckLake and Prefect-on-PostgreSQL tests; a no-op once installed.
postgres:
	@bash .ci/postgres.sh

test: $(STAMP) browser postgres
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/python -m pytest -q -n logical --maxprocesses 4 --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy records detection claimwatch flows extractors warehouse ingest

# the benchmark suite (about 10-15 min on 2 cores): BENCHMARKS.md, bench/results.json, bench/throughput.png
bench: $(STAMP)
	$(BIN)/python -m bench

# peak and steady RSS over 10,000 articles extracted and loaded in one process (the shared pages
# cycled with a varied paragraph); up to 2 hours on 2 cores, so not part of make bench
bench-memory: $(STAMP)
	@mkdir -p var/bench-memory
	$(BIN)/python -m bench.memory --pages var/bench-memory 10000 7200 > var/bench-memory/result.txt
	@cat var/bench-memory/result.txt

# refit the learned contradiction decision (detection/models/decision.json) by grouped
# cross-validation; about 15 minutes with a cold evidence cache, one with a warm one
train-decision: $(STAMP)
	$(BIN)/python -m training.decision --write

# A local Prefect server, work pool, deployments and worker on 127.0.0.1 (see README).
serve: $(STAMP)
	$(BIN)/claimwatch serve

stop: $(STAMP)
	$(BIN)/claimwatch stop

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
