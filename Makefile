# The two set-up commands: `make lab` opens the course, `make test` runs the tests.
# Both create the virtual environment .venv on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader runs `alembic` from PATH: the environment's bin/ comes first.
export PATH := $(BIN):$(PATH)

PYTEST_ARGS ?=

.PHONY: help install instructor browser sandbox test lab bench release clean

help:
	@echo "make lab      open the course in JupyterLab (student notebooks in work/)"
	@echo "make test     run the test suite"
	@echo "make bench    print the benchmark numbers"
	@echo "make release  regenerate release/ from source/ with nbgrader"
	@echo "make instructor  install the instructor's tools (nbgrader, nncourse) without the test tools"
	@echo "make sandbox  install bubblewrap, which sandboxes the grading of student code (as root)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# What each audience installs, into .venv; reinstalled when the project's metadata changes.
# A student's lab needs the course alone (no byte-compiling ahead: Python compiles what it imports);
# the instructor's tools add nbgrader; the tests add their runners and oracles on top.
$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(PIP) --no-compile -e .
	touch $@

$(VENV)/.installed-instructor: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[instructor]'
	touch $@ $(VENV)/.installed-lab

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.installed-instructor $(VENV)/.installed-lab

install: $(VENV)/.installed-test

instructor: $(VENV)/.installed-instructor

# $(call apt_install,COMMAND,PACKAGE,WHY,OTHERWISE): install Debian's PACKAGE when COMMAND is missing,
# if we may (CI runs as root); otherwise print OTHERWISE.
define apt_install
	@if ! command -v $(1) >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's $(2) $(3)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "$(4)"; \
	  fi; \
	fi
endef

# Debian's Chromium for the browser tests. Without it the browser tests skip with the reason,
# except on CI (CI set), where they fail.
browser:
	$(call apt_install,/usr/bin/chromium,chromium,for the browser tests,chromium is missing and cannot be installed here: the browser tests will be skipped)

# Debian's bubblewrap sandboxes the grading kernels (nncourse/sandbox.py); `nncourse grade` refuses to
# run student code without it unless told --no-sandbox.
sandbox:
	$(call apt_install,bwrap,bubblewrap,to sandbox the grading kernels,bwrap is missing and cannot be installed here: apt-get install bubblewrap (as root))

test: install browser sandbox
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lab: $(VENV)/.installed-lab
	$(BIN)/python -m lessons.workspace release work
	$(BIN)/python -m lessons.lab work

bench: install
	$(BIN)/python -m bench

release: instructor
	$(BIN)/nncourse release

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
