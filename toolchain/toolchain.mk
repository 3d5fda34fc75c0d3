# Pinned Pulumi toolchain, built from Go modules (see docs/toolchain.md).
# Included from the root Makefile; all paths are relative to $(CURDIR).
#
#   make pulumi   the CLI the demo and benchmarks drive: $(PULUMI)
#   make tools    bin/pulumi and the language hosts the tests need, always built here

PULUMI_VERSION      := v3.274.1
PULUMI_YAML_VERSION := v1.38.0

TOOLS_DIR   := $(CURDIR)/toolchain
TOOLS_BIN   := $(CURDIR)/bin
BUILT_PULUMI := $(TOOLS_BIN)/pulumi

# The CLI to drive. A Pulumi installed the usual way (on PATH, the same major
# version as PULUMI_VERSION and no older) is used as it is; otherwise
# bin/pulumi is built. `make PULUMI=/path/to/pulumi ...` chooses one outright;
# `make PULUMI=$(CURDIR)/bin/pulumi ...` always builds. The Automation API
# drivers find the CLI as <root>/bin/pulumi, as the official installer lays it out.
PULUMI_ON_PATH := $(shell sh toolchain/pulumi-on-path.sh $(PULUMI_VERSION) $(TOOLS_BIN))
PULUMI ?= $(or $(PULUMI_ON_PATH),$(BUILT_PULUMI))
# What `make pulumi` has to build for $(PULUMI): nothing for an installed one.
PULUMI_BUILD := $(filter $(BUILT_PULUMI),$(PULUMI))

# The upstream release build's flags, and no inlining outside the standard library:
# with an empty build cache the CLI then compiles in 2 min 55 s instead of 4 min 34 s
# on two cores (338 instead of 499 CPU-seconds), and runs as fast, since what it does
# here is spent in the standard library, gRPC and the plugins (a preview of a YAML
# program: 0.37 s either way; docs/toolchain.md). Inlining in the standard library
# alone is what keeps it fast: without it a preview took 0.53 s.
GO_BUILD_FLAGS := -trimpath -tags osusergo,grpcnotrace -gcflags=all=-l -gcflags=std=
TOOLS_GO       := CGO_ENABLED=0 go -C $(TOOLS_DIR)
TOOLS_BUILD    := $(TOOLS_GO) build $(GO_BUILD_FLAGS)
TOOLS_DEPS     := $(TOOLS_DIR)/go.mod $(TOOLS_DIR)/go.sum
# The YAML host the demo needs next to $(PULUMI): an installed Pulumi has its own.
YAML_HOST      := $(if $(PULUMI_BUILD),$(TOOLS_BIN)/pulumi-language-yaml)

TOOLS_BINS := \
	$(BUILT_PULUMI) \
	$(TOOLS_BIN)/pulumi-language-yaml \
	$(TOOLS_BIN)/pulumi-language-python

.PHONY: tools pulumi examples-deps-yaml
tools: $(TOOLS_BINS)
pulumi: $(PULUMI_BUILD)
# What a YAML example needs beside the CLI (make demo DEMO_EXAMPLE=yaml).
examples-deps-yaml: $(YAML_HOST)

$(BUILT_PULUMI): $(TOOLS_DEPS)
	@echo ">>> Building the Pulumi CLI $(PULUMI_VERSION) from Go modules into bin/pulumi, since no pulumi" \
		"$(firstword $(subst ., ,$(PULUMI_VERSION))).x >= $(PULUMI_VERSION) is on PATH: about 6 CPU-minutes with" \
		"an empty Go build cache (3 minutes on 2 idle cores, more on a busy machine), under a minute with a" \
		"warm one, never again after."
	$(TOOLS_BUILD) -o $@ \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
		github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# pulumi-yaml's own host, from the same module as the CLI (one dependency set, one
# build cache for both).
$(TOOLS_BIN)/pulumi-language-yaml: $(TOOLS_DEPS)
	$(TOOLS_BUILD) -o $@ \
		-ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$(PULUMI_YAML_VERSION)" \
		github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml

# The other Go binaries share most of their packages with the CLI: the same
# versions (their go.mod files follow toolchain/go.mod) and the same build flags. Built
# after it, they take those packages from the build cache; built side by side, each
# would compile them again.
$(TOOLS_BIN)/pulumi-language-yaml $(TOOLS_BIN)/pulumi-language-python: | $(BUILT_PULUMI)
$(EMULATOR_BIN): | $(PULUMI_BUILD)
# New flags (here) make new binaries.
$(BUILT_PULUMI) $(TOOLS_BIN)/pulumi-language-yaml $(TOOLS_BIN)/pulumi-language-python $(EMULATOR_BIN): toolchain/toolchain.mk

# Our own reduced Python language host (module toolchain/pyhost, docs/python-host.md):
# it serves Python plugins from source (PulumiPlugin.yaml, runtime: python) and
# nothing else, because the upstream host is not served by the Go module proxy
# (toolchain/README.md).
PYHOST_DIR  := $(TOOLS_DIR)/pyhost
PYHOST_DEPS := $(PYHOST_DIR)/go.mod $(PYHOST_DIR)/go.sum $(filter-out %_test.go,$(wildcard $(PYHOST_DIR)/*.go))

$(TOOLS_BIN)/pulumi-language-python: $(PYHOST_DEPS)
	CGO_ENABLED=0 go -C $(PYHOST_DIR) build $(GO_BUILD_FLAGS) -o $@ \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
		.

# actionlint checks .github/workflows in `make lint`; pinned in a module of its own
# (toolchain/actionlint) so it cannot move the CLI's dependencies.
ACTIONLINT_DIR := $(TOOLS_DIR)/actionlint
$(TOOLS_BIN)/actionlint: $(ACTIONLINT_DIR)/go.mod $(ACTIONLINT_DIR)/go.sum
	CGO_ENABLED=0 go -C $(ACTIONLINT_DIR) build -trimpath -ldflags "-s -w" -o $@ github.com/rhysd/actionlint/cmd/actionlint

.PHONY: tools-test
tools-test:
	go -C $(PYHOST_DIR) vet ./...
	go -C $(PYHOST_DIR) test ./...
