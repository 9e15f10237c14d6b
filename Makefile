# Two entry points do all of the setup on a fresh machine:
#   make report   install, then grade the bundled reference submission into report.html
#   make test     install, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install sandbox-tools learner-python browser-tools report test bench lint

$(BIN)/cnn-grader: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# bubblewrap gives the learner's code its own namespaces (see docs/threat-model.md).
# Where it cannot be installed, grading still works with fewer layers, and says so.
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1; } || \
	    echo "note: could not install bubblewrap; grading runs without namespaces"; \
	  else echo "note: bubblewrap (bwrap) is not installed; grading runs without namespaces"; fi; }

# The report's browser test (tests/test_report_browser.py) drives Debian's
# headless Chromium through its matching chromedriver. Only the tests need it;
# in CI (CI set) the test fails rather than skips when it is missing.
browser-tools:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1; } || \
	    echo "note: could not install chromium; the browser test cannot run"; \
	  else echo "note: chromium and chromium-driver are not installed; the browser test cannot run"; fi; }

# Where bubblewrap cannot make namespaces, a grader running as root runs each
# learner child as an unprivileged uid (grader/sandbox/learner_uid.py). That uid must be
# able to run an interpreter with numpy and torch, and this project's .venv is
# built from a Python that other users may not be able to reach (here
# /root/.pyenv), so the learner's interpreter is a separate venv, made from
# Debian's world-readable /usr/bin/python3, outside the project folder (which
# the grader closes to other users). Only root needs it: without root there
# is no uid to switch to. grader/policy.py names the same default path.
LEARNER_PYTHON_BASE ?= /usr/bin/python3
LEARNER_VENV ?= /opt/cnn-grader/learner-venv
learner-python:
	@if [ "$$(id -u)" != 0 ]; then echo "note: not root, so no learner uid: skipping $(LEARNER_VENV)"; \
	elif [ -x "$(LEARNER_VENV)/bin/python" ] && "$(LEARNER_VENV)/bin/python" -c 'import numpy, torch' 2>/dev/null; then :; \
	elif [ ! -x "$(LEARNER_PYTHON_BASE)" ]; then echo "note: no $(LEARNER_PYTHON_BASE): without namespaces, grading for credit will refuse"; \
	else set -e; umask 022; mkdir -p "$$(dirname "$(LEARNER_VENV)")"; \
	  "$(LEARNER_PYTHON_BASE)" -m venv "$(LEARNER_VENV)"; \
	  "$(LEARNER_VENV)/bin/python" -m pip install --quiet -c constraints.txt numpy torch; \
	  chmod -R a+rX "$(LEARNER_VENV)"; fi

install: $(BIN)/cnn-grader sandbox-tools learner-python

report: install
	$(BIN)/cnn-grader grade solutions --html report.html --json report.json

# The suite runs on every core (pytest-xdist): most of its time is whole
# gradings, each of which keeps about one core busy (the grader and its child
# take turns). worksteal keeps both busy while the long batch tests finish.
TEST_JOBS ?= auto
test: install browser-tools
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist worksteal

# The layout's checks (pyproject.toml): import-linter's contracts (the pipeline's
# layers, the child's code apart, no cycles), ruff, and mypy on the package.
lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/bench_grade.py
