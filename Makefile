# hptune-tui: `make run` opens the app, `make test` runs the whole test suite (as root it also
# installs and starts the real SLURM cluster and sshd the tests use). Targets are idempotent.

SHELL := /bin/bash
# The system Python when there is one: a venv made from it can be shared with other users (a venv
# made from a Python under /root or a pyenv shim is not usable by a learner account).
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
VENV ?= .venv
PY := $(VENV)/bin/python
# Rebuilt only when pyproject.toml changes (or the venv is removed).
STAMP := $(VENV)/.hptune-installed

TORCH_VERSION := 2.13.0
# The CPU build of torch from this machine's disk when it is there (never the default, much larger
# build); elsewhere set TORCH_SPEC to a CPU wheel or index of your own.
TORCH_WHEEL := $(firstword $(wildcard /opt/wheels/torch-$(TORCH_VERSION)+cpu-*.whl))
TORCH_SPEC ?= $(if $(TORCH_WHEEL),$(TORCH_WHEEL),torch==$(TORCH_VERSION))

SERVICE_PKGS := slurmctld slurmd slurm-client munge slurmdbd mariadb-server openssh-server librsvg2-bin
PYTEST_ARGS ?=

.PHONY: help venv run test lint services-deps clean-venv

help:
	@echo "make run            create .venv (once), install hptune-tui and open the app"
	@echo "make test           venv + services-deps + the whole test suite"
	@echo "make lint           venv + ruff over tui, tests and bench (rules in pyproject.toml)"
	@echo "make venv           only create/update .venv"
	@echo "make services-deps  as root: install the Debian packages of the test services"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -x $(PY) ] && [ "$$($(PY) -c 'import sys; print(sys.base_prefix)')" != "$$($(PYTHON) -c 'import sys; print(sys.base_prefix)')" ]; then \
	    echo "$(VENV) was made from another Python: making it again from $(PYTHON)"; rm -rf $(VENV); fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check '$(TORCH_SPEC)'
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[train,hq,test]'
	@touch $@

run: venv
	$(VENV)/bin/hptune-tui

services-deps:
	@if [ "$$(id -u)" != 0 ]; then \
	    echo "services-deps: not root, so not installing $(SERVICE_PKGS); the SLURM and sshd tests will be skipped"; \
	elif ! command -v dpkg-query >/dev/null; then \
	    echo "services-deps: no dpkg here (not Debian); install $(SERVICE_PKGS) yourself"; \
	else \
	    missing=""; \
	    for pkg in $(SERVICE_PKGS); do \
	        dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$pkg"; \
	    done; \
	    if [ -n "$$missing" ]; then \
	        echo "services-deps: installing$$missing"; \
	        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	    fi; \
	fi

lint: venv
	$(VENV)/bin/ruff check tui tests bench

test: venv services-deps
	$(PY) -m pytest -q -rs $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
