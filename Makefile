# Only Python 3.10+ is needed: every target creates .venv and installs into it on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?= corpus
OUT ?= outputs

.PHONY: extract test eval bench train clean-venv

# Stamp files make the install steps cheap when nothing changed; editing pyproject.toml reinstalls.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "planparse needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,ocr,ray]'
	touch $@

# Exit 1 means some files failed and were recorded in errors (without the ocr extra, the scanned PDF
# of corpus/native does: "no text layer"); the outputs are written all the same.
extract: $(VENV)/.installed
	$(BIN)/planparse extract $(CORPUS)/ --out $(OUT)/ --force || [ $$? -eq 1 ]  # outputs/ keeps its README.md

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

eval: $(VENV)/.installed
	$(BIN)/planparse eval $(CORPUS)/ --gold $(CORPUS)/gold

bench: $(VENV)/.installed
	$(BIN)/python -m planparse.bench

train: $(VENV)/.installed
	$(BIN)/python -m planparse.extract.train

clean-venv:
	rm -rf $(VENV)
