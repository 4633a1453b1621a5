# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test conformance bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python tools/install_helm.py --quiet
	touch $(STAMP)

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
	$(BIN)/python -m renderer.conformance --realworld -v

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .demo
