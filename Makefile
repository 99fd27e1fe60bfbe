PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test lint bench demo clean docs

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

test: install
	$(BIN)/ruff check azguest tests bench
	$(BIN)/python -m azguest.docs --check
	# worksteal: an idle worker takes queued tests from a busy one. Bytecode is cached even where the environment
	# says PYTHONDONTWRITEBYTECODE, so the CLI processes the tests start do not recompile azguest each time.
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 2 --dist worksteal tests

lint: install
	$(BIN)/ruff check azguest tests bench

docs: install
	$(BIN)/python -m azguest.docs

bench: install
	$(BIN)/python bench/run.py

demo: install
	AZGUEST_EMULATOR=1 AZGUEST_EMULATOR_STATE=.azguest/demo.db AZGUEST_ADMIN_PASSWORD='Demo-Only-Pa55!' \
	  AZGUEST_EMULATOR_PROFILE=bench $(BIN)/azguest deploy examples/s2d-2node.yaml --yes
	AZGUEST_EMULATOR=1 AZGUEST_EMULATOR_STATE=.azguest/demo.db $(BIN)/azguest status hv-s2d
	AZGUEST_EMULATOR=1 AZGUEST_EMULATOR_STATE=.azguest/demo.db AZGUEST_EMULATOR_PROFILE=fast \
	  $(BIN)/azguest destroy hv-s2d --yes

clean:
	rm -rf $(VENV) .azguest .pytest_cache .hypothesis
	find azguest tests bench -name __pycache__ -prune -exec rm -rf {} +
