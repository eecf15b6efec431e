# Two commands on a fresh Linux machine with Python 3.11+:  make run  and  make test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-delivery install lock lint typecheck clean-data

# Phase 1 of `make run` (scripts/run.py prints phases 2-5): pip's own lines show the progress.
# Installs are reproducible: every package comes from the lock file, pinned with its hashes
# (`make lock` writes it anew after a change of dependencies in pyproject.toml).
$(STAMP): pyproject.toml requirements-dev.lock
	@echo "[1/5] Python-miljö (.venv) och paket (pip; första gången några minuter) …"
	@t0=$$(date +%s) && \
	$(PYTHON) -m venv $(VENV) && \
	$(PY) -m pip install --quiet --upgrade pip && \
	$(PY) -m pip install --progress-bar off --require-hashes -r requirements-dev.lock && \
	$(PY) -m pip install --quiet --no-deps -e . && \
	touch $(STAMP) && \
	echo "      klart på $$(( $$(date +%s) - t0 )) s"

## Write the lock files anew from pyproject.toml (runtime for the image, dev for make run/test/CI).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 --quiet -o requirements-dev.lock

install: $(STAMP)

## Start everything (embedded PostgreSQL + local Redis unless DATABASE_URL/REDIS_URL), with demo data.
run: $(STAMP)
	$(PY) scripts/run.py

## Install what the tests need and run every gate: ruff, mypy, migrations, check --deploy, pytest (+ browser).
test: $(STAMP)
	$(PY) scripts/test.py

## Benchmark on its own database: BENCH_PATIENTS (default 100000) patients.
bench: $(STAMP)
	VARDMILJO_DB_NAME=$${VARDMILJO_DB_NAME:-vardmiljo_bench} $(PY) manage.py bench

## Referral delivery latency, healthy and with one hanging receiver (own database, Redis and workers).
bench-delivery: $(STAMP)
	VARDMILJO_DB_NAME=$${VARDMILJO_DB_NAME:-vardmiljo_latency} $(PY) manage.py migrate --noinput -v 0
	VARDMILJO_DB_NAME=$${VARDMILJO_DB_NAME:-vardmiljo_latency} $(PY) manage.py delivery_latency

clean-data:
	$(PY) -c "from vardmiljo import embedded; embedded.stop_database(); embedded.stop_redis()"
	rm -rf .data
