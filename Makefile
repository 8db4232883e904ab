# The template's two commands: `make demo` and `make test`.
PYTHON ?= python3
TOOLS := .venv
UV := $(TOOLS)/bin/uv
DEMO := .demo
DEMO_PROJECT := $(DEMO)/flask_db_app
# Two test processes: most tests wait on servers and subprocesses, so two keep both cores busy.
# Tests of one xdist_group (the module that bakes every combination) share one process.
PYTEST_WORKERS ?= -n 2 --dist loadgroup

.DEFAULT_GOAL := help
.PHONY: help tools demo test lock pythons bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-7s %s\n", $$1, $$2}'

# pip brings only uv (it is on PyPI); uv installs the rest, several times faster.
$(TOOLS)/.installed: requirements-test.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv
	$(UV) pip install --quiet --python $(TOOLS)/bin/python -r requirements-test.txt
	touch $@

tools: $(TOOLS)/.installed

demo: tools ## Bake a project with the defaults into .demo/, seed it and serve it on 127.0.0.1:5000
	$(TOOLS)/bin/cookiecutter --no-input --overwrite-if-exists --output-dir $(DEMO) .
	cd $(DEMO_PROJECT) && $(CURDIR)/$(UV) sync --quiet --no-dev --python $(PYTHON)
	cd $(DEMO_PROJECT) && .venv/bin/flask init-db
	cd $(DEMO_PROJECT) && .venv/bin/python manage.py seed --count 50
	cd $(DEMO_PROJECT) && .venv/bin/flask run --host 127.0.0.1 --port 5000

test: tools ## Run the template's whole test suite (and print the time of its slowest stages)
	$(TOOLS)/bin/pytest $(PYTEST_WORKERS) --durations=25 $(PYTEST_ARGS)

lock: tools ## Resolve {{cookiecutter.project_slug}}/constraints.txt again, for every choice
	$(TOOLS)/bin/python -m tests.locking

pythons: ## Build (or reuse) the Debian roots with Python 3.13 and 3.14 that the suite runs bakes on
	bash .ci/pythons

bench: tools ## Measure the baked API against a raw-driver Flask floor (needs PostgreSQL)
	$(TOOLS)/bin/python -m benchmarks.api $(BENCH_ARGS)

clean: ## Remove the tool virtualenv and the demo
	rm -rf $(TOOLS) $(DEMO)
