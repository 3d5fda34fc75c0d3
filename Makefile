# LlmKeyVault: every task a newcomer needs, from a fresh clone.
#   make demo    deploy an example to the local workspace emulator and show it
#   make test    set up and run the whole suite (lint, types, tests)
#   make bench   provider and end-to-end benchmarks
#   make help    every target

SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
VERSION := $(shell sed -n 's/^version: *//p' schema.yaml)

.DEFAULT_GOAL := help
.PHONY: help venv lint test test-fast bench clean

help:
	@echo "make demo       deploy examples/aws-python to the local workspace emulator"
	@echo "make test       set up and run the whole suite"
	@echo "make test-fast  unit and component tests only (no processes, seconds)"
	@echo "make lint       ruff and mypy --strict"
	@echo "make bench      provider and end-to-end benchmarks"
	@echo "make tools      build the pinned Pulumi CLI and YAML host into bin/"
	@echo "make build      the provider plugin, bin/pulumi-resource-llmkeyvault, and policy/venv"
	@echo "make policy-demo  the policy pack (policy/) stopping a raw program, passing an example"
	@echo "make gen-sdk    regenerate sdk/ from schema.yaml"
	@echo "make dist       release artefacts under dist/"
	@echo "make java-deps  fetch the Java SDK's Maven dependencies into build/maven (once)"
	@echo "make clean      remove build outputs and the virtual environment"

-include $(sort $(wildcard mk/*.mk))

$(VENV)/.installed: provider/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e 'provider[test]'
	touch $@

venv: $(VENV)/.installed

lint: venv
	$(VENV)/bin/ruff check provider tests bench devtools policy
	$(VENV)/bin/ruff format --check provider tests bench devtools policy
	$(VENV)/bin/mypy

test-fast: venv
	$(PY) -m pytest -m "not slow"

test: lint tools tools-test build emulator emulator-test examples-deps java-deps
	$(PY) -m pytest

bench: venv tools build emulator
	$(PY) bench/bench_provider.py
	$(PY) bench/bench_e2e.py

clean:
	rm -rf $(VENV) bin build dist

.PHONY: dist
# Every release artefact under dist/, all at the one version in schema.yaml.
dist: dist-plugin dist-sdks

.PHONY: demo
# Deploy examples/$(DEMO_EXAMPLE) to the workspace emulator and show the result.
DEMO_EXAMPLE ?= aws-python
demo: tools build emulator examples-deps
	$(PY) -m devtools.demo $(DEMO_EXAMPLE)
