# Every target sets up what it needs: `make generate` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.hookgen-installed

.PHONY: install generate test lint typecheck drift check bench bench-corpus clean fidelity-full

$(STAMP): pyproject.toml generated/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,fidelity,listen,send,queue]'
	$(BIN)/python -m pip install --quiet -e ./generated
	touch $@

install: $(STAMP)

## Regenerate generated/ from spec/ (the one command that refreshes the committed output; read its diff).
generate: $(STAMP)
	$(BIN)/hookgen generate

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy generator
	$(BIN)/mypy --strict generated/subscriptions_webhooks

## Fails when generated/ is not what the current spec and generator produce (hookgen check: nothing is written).
drift: $(STAMP)
	$(BIN)/hookgen check --output generated

check: lint typecheck drift test

## Benchmarks print ratios against a baseline measured in the same run; they are not tests.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_generate.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_receive.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_lines.py
	$(BIN)/python benchmarks/bench_memory.py
	$(BIN)/python benchmarks/bench_workers.py

## The scale table of every corpus spec (generation time and peak memory, start-up), against its baselines (long).
bench-corpus: $(STAMP)
	$(BIN)/python benchmarks/corpus_table.py

clean:
	rm -rf $(VENV) .drift .pytest_cache .mypy_cache .ruff_cache .hypothesis

## hookgen fidelity on every corpus spec, unsampled: 50 payloads and 20 s per webhook (long; not a test).
CORPUS ?= ../shared/corpus
fidelity-full: $(STAMP)
	@status=0; for spec in $(CORPUS)/*.json $(CORPUS)/*.yaml; do \
		echo "== $$spec"; $(BIN)/hookgen fidelity "$$spec" --payloads 50 --seconds 20 || status=1; \
	done; exit $$status
