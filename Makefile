# LlmKeyVault: every task a newcomer needs, from a fresh clone.
#   make demo    deploy an example to the local workspace emulator and show it
#   make test    set up and run the whole suite (lint, types, tests)
#   make bench   provider and end-to-end benchmarks
#   make help    every target

SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
# The package version: `version` in schema.yaml, read by the provider's own reader.
VERSION := $(shell $(PYTHON) -c 'import runpy; print(runpy.run_path("provider/llmkeyvault_provider/version.py")["__version__"])')

.DEFAULT_GOAL := help
.PHONY: help venv lint test test-fast bench clean

help:
	@echo "make demo       deploy examples/aws-python, then its serving-yaml consumer, to the local workspace emulator"
	@echo "make test       set up and run the whole suite"
	@echo "make test-fast  unit and component tests only (no processes, seconds)"
	@echo "make lint       ruff and mypy --strict"
	@echo "make bench      provider and end-to-end benchmarks"
	@echo "make tools      build the pinned Pulumi CLI and language hosts into bin/"
	@echo "make pulumi     the CLI to drive: an installed one if suitable, else bin/pulumi"
	@echo "make build      the provider plugin, bin/pulumi-resource-llmkeyvault, and policy/venv"
	@echo "make policy-demo  the policy pack (policy/) stopping a raw program, passing an example"
	@echo "make gen-sdk    regenerate sdk/ from schema.yaml"
	@echo "make docs       rewrite the README's input/output tables and docs/sdks.md's summary from schema.yaml"
	@echo "make dist       release artefacts under dist/ (every target below)"
	@echo "make dist-plugin  the plugin archives, linux and darwin on amd64 and arm64, windows-amd64"
	@echo "make dist-python  the Python SDK's wheel and sdist"
	@echo "make dist-nodejs  the Node.js SDK's npm tarball"
	@echo "make dist-go      the Go SDK module's source archive"
	@echo "make dist-dotnet  the C# SDK's project source"
	@echo "make dist-java    the Java SDK's jar, sources jar and pom (fetches Maven dependencies once)"
	@echo "make lock       provider/requirements.txt, the plugin's hashed lock, from requirements.in"
	@echo "make java-deps  fetch the Java SDK's Maven dependencies into build/maven (once)"
	@echo "make clean      remove build outputs and the virtual environment"

-include $(sort $(wildcard mk/*.mk))
include toolchain/toolchain.mk

$(VENV)/.installed: provider/pyproject.toml audit/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e 'provider[test]'
	$(PY) -m pip install --quiet -e ./audit
	touch $@

venv: $(VENV)/.installed

lint: venv $(TOOLS_BIN)/actionlint
	$(TOOLS_BIN)/actionlint
	$(TOOLS_BIN)/actionlint audit/ci/audit-nightly.yml
	$(VENV)/bin/ruff check provider tests bench devtools toolchain policy audit
	$(VENV)/bin/ruff format --check provider tests bench devtools toolchain policy audit
	$(VENV)/bin/mypy

test-fast: venv
	$(PY) -m pytest -m "not slow"

# The test files run side by side, TEST_WORKERS at a time (pytest-xdist): one more than the
# CPUs, since a worker often waits (on a package index, a build lock or a child process) while
# the others could use its CPU. Each file runs whole on one worker, longest first
# (tests/conftest.py says why that is safe and which files start first). Every marker runs
# this way; `make test-fast` runs in one process. The checks that share nothing with pytest (test-checks: ruff, mypy,
# actionlint, the Go tests) run beside it once everything is built; their output, kept in
# build/test-checks.log, is printed after pytest's, and either failing fails `make test`.
TEST_WORKERS ?= $(shell expr $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1)
.PHONY: test-checks
test-checks: lint tools-test emulator-test

test: venv tools build emulator examples-deps java-deps $(TOOLS_BIN)/actionlint
	@mkdir -p build
	@$(MAKE) --no-print-directory test-checks >build/test-checks.log 2>&1 & checks=$$!; \
	trap 'kill $$checks 2>/dev/null' INT TERM; \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder; tests=$$?; \
	wait $$checks; checked=$$?; \
	echo "--- make test-checks (build/test-checks.log)"; cat build/test-checks.log; \
	if [ $$checked -ne 0 ]; then echo "make test: test-checks failed (above)" >&2; fi; \
	exit $$(( tests != 0 || checked != 0 ))

# The end-to-end benchmark drives $(PULUMI) (an installed one if suitable) and
# compares examples/aws-python with the same resources written with
# pulumi_databricks, which it installs into the examples' interpreter.
bench: venv pulumi examples-deps-yaml build emulator examples-deps-python $(EXAMPLE_PYTHON_DATABRICKS)
	$(PY) bench/bench_provider.py
	LLMKEYVAULT_PULUMI=$(PULUMI) $(PY) bench/bench_e2e.py
	$(PY) bench/bench_audit.py

clean:
	rm -rf $(VENV) bin build dist

# The parts of README.md and docs/sdks.md that restate schema.yaml, between their
# marker comments (devtools/docs.py); tests/test_docs.py fails when they are stale.
.PHONY: docs
docs: venv
	$(PY) -m devtools.docs

.PHONY: version dist
version:
	@echo $(VERSION)

# Every release artefact under dist/, all at the one version in schema.yaml.
dist: dist-plugin dist-sdks

.PHONY: demo
# Deploy examples/$(DEMO_EXAMPLE) to the workspace emulator, then examples/$(DEMO_CONSUMER)
# (a Model Serving endpoint reading the vault by StackReference; DEMO_CONSUMER= skips it),
# and show the result. Builds only what those examples need: the CLI unless a suitable
# one is installed (toolchain/toolchain.mk), the plugin, the emulator and their languages' SDK and
# driver. The demo itself runs in the Python examples' interpreter (pulumi, PyYAML), not
# in .venv with its test and lint tools. The pieces are built side by side (-j3): the
# Python environments install while Go compiles (the Go binaries one after another,
# toolchain/toolchain.mk says why).
DEMO_EXAMPLE ?= aws-python
DEMO_CONSUMER ?= serving-yaml
.PHONY: demo-deps
# `external` is a demo program in devtools/demo_external (YAML), not an example.
demo-runtime = $(if $(filter external,$(1)),yaml,$(call example-runtime,$(1)))
demo-deps: pulumi bin/pulumi-resource-llmkeyvault emulator audit-cli examples-deps-python examples-deps-$(call demo-runtime,$(DEMO_EXAMPLE)) \
		$(if $(DEMO_CONSUMER),examples-deps-$(call example-runtime,$(DEMO_CONSUMER)))
demo:
	@$(MAKE) --no-print-directory -j3 demo-deps
	LLMKEYVAULT_PULUMI=$(PULUMI) $(EXAMPLE_PYTHON_VENV)/bin/python -m devtools.demo $(DEMO_EXAMPLE) \
		--consumer "$(DEMO_CONSUMER)"
