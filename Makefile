# Expedite: `make run` serves the embedded setup with demo data; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install install-dev messages clean bench-smoke

install:
	@scripts/bootstrap.sh

install-dev:
	@scripts/bootstrap.sh dev

run: install
	@$(BIN)/expedite setup
	@exec $(BIN)/expedite serve

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

test: lint
	@chromium="$$(scripts/ensure-chromium.sh)" || echo "!! Chromium not available: browser tests will be skipped"; \
	EXPEDITE_CHROMIUM="$$chromium" $(BIN)/python -m pytest $(PYTEST_ARGS)

# Every benchmark once at a tiny size, so none of them rots (CI runs it; the figures mean
# nothing at these sizes). BENCH_DEMO_VAR: a var dir with the demo set up, to reuse.
bench-smoke: install-dev
	@benchmarks/smoke.sh

# Re-extract and compile the English catalog after changing user-facing strings (needs gettext).
messages: install-dev
	cd src/expedite && ../../$(BIN)/expedite makemessages -l en --no-obsolete --ignore 'migrations/*'
	cd src/expedite && ../../$(BIN)/expedite compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
