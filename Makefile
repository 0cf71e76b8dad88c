# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast accuracy lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,example]'
	touch $(STAMP)

## Scan the bundled example project and print the report.
demo: $(STAMP)
	@echo "mockguard scan examples/chat_service"
	@$(VENV)/bin/mockguard scan examples/chat_service; status=$$?; [ $$status -le 1 ]
	@$(VENV)/bin/mockguard report examples/chat_service --html build/mockguard-report.html
	@echo "Open build/mockguard-report.html in a browser."

## Run mockguard's tests, then the example project's own tests.
test: $(STAMP)
	$(PY) -m pytest
	cd examples/chat_service && ../../$(PY) -m pytest -q

## Only mockguard's tests.
test-fast: $(STAMP)
	$(PY) -m pytest -q

## The accuracy sets: the synthetic regression set, then the real-code set (it downloads
## the nova, salt, neutron and celery sdists once into benchmarks/.cache).
accuracy: $(STAMP)
	$(PY) -m pytest -q -s -p no:cacheprovider tests/accuracy
	$(PY) benchmarks/accuracy/real_set.py score --half both

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests
	$(VENV)/bin/ruff format src tests

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
