# Two commands do all the set-up on a fresh machine (Python 3.11+, nothing else):
#   make run    the main job on the embedded default (no token, no network)
#   make test   the whole test suite
# Both create or refresh the local virtual environment in .venv first.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test venv bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,laion]'
	@touch $(STAMP)

run: venv
	@$(BIN)/rightsbot start

test: venv
	@$(BIN)/python -m pytest -n 2 -q

bench: venv
	@$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
