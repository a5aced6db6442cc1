# ecosim: one command to set up and run the baseline, one to set up and test.
#   make run    create .venv, install ecosim, run the baseline scenario -> results/baseline
#   make test   create .venv, install ecosim with test extras, run the test suite
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n auto

.PHONY: run test setup bench clean

$(STAMP): pyproject.toml
	@PYBIN=$$(scripts/find-python) || exit 1; \
	 echo "Using $$PYBIN ($$($$PYBIN --version))"; \
	 [ -x $(PY) ] || $$PYBIN -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	scripts/setup-fonts-and-browser
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/ecosim run baseline --out results/baseline

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) results
