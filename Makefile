# Kefu: `make run` serves the bot, `make test` runs the tests. Both set everything up on a fresh machine.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Rasa 3.6 needs Python 3.10: take the first python3.10 that really runs (pyenv shims may not).
PYTHON ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
ENCODER_STAMP := models/encoder/multilingual-e5-small/kefu-build.json
MODEL := models/kefu.tar.gz
RASA_PORT ?= 5005
ACTION_PORT ?= 5055
export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
export TOKENIZERS_PARALLELISM ?= false

.PHONY: run test train venv encoder lint clean chromium

venv: $(VENV)/.installed
# constraints.txt pins every package to the versions tested together (regenerate: pip freeze after an upgrade)
$(VENV)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.10 is required (Rasa 3.6); install it or pass PYTHON=/path/to/python3.10"; exit 1; }
	@echo "== creating $(VENV) with $(PYTHON) (first time: ~3-5 min, downloads rasa, torch, faiss)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip<25" wheel
	$(BIN)/pip install --progress-bar off -c constraints.txt -e ".[dev]"
	touch $@

encoder: $(ENCODER_STAMP)
$(ENCODER_STAMP): $(VENV)/.installed bot/encoder_build.py
	$(BIN)/python -m bot encoder build

# rasa train retrains only what the data changed (and says "Nothing changed" otherwise)
train: encoder
	$(BIN)/rasa train --fixed-model-name kefu --out models

run: train
	$(BIN)/python -m bot serve --rasa-port $(RASA_PORT) --action-port $(ACTION_PORT)

# Browser tests drive Debian's chromium; installed here when we may (root + apt), otherwise they skip.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ echo "== installing Debian's chromium for the browser tests"; \
		  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) \
		  || echo "chromium could not be installed: browser tests will skip"; }; } || \
		echo "no chromium and no root: browser tests will skip"

test: train chromium
	$(BIN)/python -m bot kb validate
	$(BIN)/ruff check bot actions tests
	$(BIN)/pytest -ra

lint: venv
	$(BIN)/ruff check bot actions tests

clean:
	rm -rf $(VENV) models/*.tar.gz models/encoder .rasa kefu-tracker.db kefu.db
