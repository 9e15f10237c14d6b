# Two entry points do all of the setup on a fresh machine:
#   make report   install, then grade the bundled reference submission into report.html
#   make test     install, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install report test bench

$(BIN)/cnn-grader: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(BIN)/cnn-grader

report: install
	$(BIN)/cnn-grader grade solutions --html report.html --json report.json

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_grade.py
