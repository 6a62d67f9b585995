# Two commands for a new user: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A second venv for what must run beside the project, not in it: the FOCUS validator
# (needs Python >= 3.12) and DuckDB 1.x, the reader BI drivers bundle
# (docs/operating.md, "Pitfalls of the stack").
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) $(shell command -v python3.12 2>/dev/null))
CHECK_VENV := .venv-checks
CHECK_STAMP := $(CHECK_VENV)/.installed
CHECK_REQUIREMENTS := requirements-checks.txt
# dbt on Apache Spark (the `spark` target, README: "Past one machine") in a venv of its own:
# PySpark in the project's venv would be imported by Great Expectations on every run.
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
SPARK_REQUIREMENTS := requirements-spark.txt

# No telemetry from dbt or Dagster, ever.
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: setup checks-setup spark-setup demo test test-fast coverage lint prices docs dagster clean

setup: $(STAMP)

# Reinstall only when the dependency list changes; the package itself is editable.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

checks-setup: $(CHECK_STAMP)

$(CHECK_STAMP): $(CHECK_REQUIREMENTS)
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (set PYTHON312=...)"; exit 1; }
	test -d $(CHECK_VENV) || $(PYTHON312) -m venv $(CHECK_VENV)
	$(CHECK_VENV)/bin/pip install -q --disable-pip-version-check -r $(CHECK_REQUIREMENTS)
	touch $(CHECK_STAMP)

spark-setup: $(SPARK_STAMP)

$(SPARK_STAMP): $(SPARK_REQUIREMENTS)
	test -d $(SPARK_VENV) || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install -q --disable-pip-version-check -r $(SPARK_REQUIREMENTS)
	touch $(SPARK_STAMP)

demo: setup
	$(BIN)/llm-cost-audit demo

# Test modules run in parallel, a module per worker at a time (its fixtures built once);
# the audited warehouses several modules read are built once per run (tests/python/conftest.py).
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The whole suite: every real component (dbt, Dagster, Great Expectations, Spark, Chromium,
# the FOCUS validator).
test: setup spark-setup checks-setup lint
	$(PYTEST)

# The inner loop: everything not marked slow (docs/developing.md, "Test lanes").
test-fast: setup lint
	$(PYTEST) -m "not slow"

# `make test` with line coverage of the package (a terminal table, coverage.json).
coverage: setup spark-setup checks-setup
	$(PYTEST) --cov=orchestration --cov-report=term --cov-report=json

lint: setup
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks

# Regenerate seeds/generated/ (prices, aliases) from the installed genai-prices package.
prices: setup
	$(BIN)/llm-cost-audit prices update

# dbt's documentation site for the warehouse the demo built (target/index.html, offline).
docs: setup
	LLM_COST_AUDIT_WAREHOUSE=$(CURDIR)/warehouse/demo.duckdb $(BIN)/dbt docs generate \
		--project-dir . --profiles-dir profiles

# The Dagster UI on this machine only, with the project loaded: the nightly schedule, the
# new-files sensor, every asset and check. Paths come from LLM_COST_AUDIT_* (README).
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
DAGSTER_PORT ?= 3000
dagster: setup
	$(BIN)/python -m orchestration.dagster_home $(DAGSTER_HOME)
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -h 127.0.0.1 -p $(DAGSTER_PORT) \
		-m orchestration.definitions

clean:
	rm -rf target logs warehouse reports .dagster_home lake spark-warehouse metastore_db derby.log
