# Pinned Pulumi toolchain, built from Go modules (see docs/toolchain.md).
# Included from the root Makefile; all paths are relative to $(CURDIR).

PULUMI_VERSION      := v3.274.1
PULUMI_YAML_VERSION := v1.25.0

TOOLS_DIR := $(CURDIR)/tools
TOOLS_BIN := $(CURDIR)/bin
PULUMI    ?= $(TOOLS_BIN)/pulumi

# Environment for every target that runs pulumi: private PULUMI_HOME inside
# build/, no update check, no plugin downloads, our bin/ first on PATH.
# Use as:  $(PULUMI_ENV) $(PULUMI) ...
PULUMI_ENV := PULUMI_HOME=$(CURDIR)/build/pulumi-home \
	PULUMI_SKIP_UPDATE_CHECK=true \
	PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
	PATH=$(CURDIR)/bin:$$PATH

GO_BUILD_FLAGS := -trimpath -tags osusergo,grpcnotrace
TOOLS_GO       := CGO_ENABLED=0 go -C $(TOOLS_DIR)
TOOLS_BUILD    := $(TOOLS_GO) build $(GO_BUILD_FLAGS)
TOOLS_DEPS     := $(TOOLS_DIR)/go.mod $(TOOLS_DIR)/go.sum
# pulumi-yaml needs an older engine API than the CLI, so its host is built from
# a module of its own (tools/yaml); hosts talk to the engine over gRPC only.
# tools/yaml/main.go is the host's main: pulumi-yaml's server plus Link.
YAML_GO        := CGO_ENABLED=0 go -C $(TOOLS_DIR)/yaml
YAML_DEPS      := $(TOOLS_DIR)/yaml/go.mod $(TOOLS_DIR)/yaml/go.sum $(TOOLS_DIR)/yaml/main.go

TOOLS_BINS := \
	$(TOOLS_BIN)/pulumi \
	$(TOOLS_BIN)/pulumi-language-yaml \
	$(TOOLS_BIN)/pulumi-language-python

.PHONY: tools
tools: $(TOOLS_BINS)

$(TOOLS_BIN)/pulumi: $(TOOLS_DEPS)
	$(TOOLS_BUILD) -o $@ \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
		github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

$(TOOLS_BIN)/pulumi-language-yaml: $(YAML_DEPS)
	$(YAML_GO) build $(GO_BUILD_FLAGS) -o $@ \
		-ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$(PULUMI_YAML_VERSION)" \
		.

# Our own reduced Python language host (module tools/pyhost, docs/python-host.md):
# it serves Python plugins from source (PulumiPlugin.yaml, runtime: python) and
# nothing else, because the upstream host is not served by the Go module proxy.
PYHOST_DIR  := $(TOOLS_DIR)/pyhost
PYHOST_DEPS := $(PYHOST_DIR)/go.mod $(PYHOST_DIR)/go.sum $(filter-out %_test.go,$(wildcard $(PYHOST_DIR)/*.go))

$(TOOLS_BIN)/pulumi-language-python: $(PYHOST_DEPS)
	CGO_ENABLED=0 go -C $(PYHOST_DIR) build $(GO_BUILD_FLAGS) -o $@ \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
		.

.PHONY: tools-test
tools-test:
	go -C $(PYHOST_DIR) vet ./...
	go -C $(PYHOST_DIR) test ./...
