# Two commands on a fresh machine: `make demo` and `make test`. Both set up .venv themselves.
SHELL := /bin/bash
VENV  := .venv
STAMP := $(VENV)/.fupan-installed

.PHONY: setup demo test lint bench eval clean

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	bash scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install Fupan, its test tools, Chromium and CJK fonts

demo: setup      ## build the sample company and run the review on its latest quarter
	$(VENV)/bin/fupan demo

test: setup      ## lint and the whole test suite (network blocked except loopback)
	bash scripts/test.sh

lint: setup
	$(VENV)/bin/ruff check .

eval: setup      ## the scorecard (deterministic writer)
	$(VENV)/bin/fupan eval

clean:
	rm -rf $(VENV) .fupan .pytest_cache
