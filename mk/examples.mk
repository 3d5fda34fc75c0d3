# What the examples need to run here: each language's SDK installed from sdk/.
# (Against a real workspace, each example's README says how to install from the
# package registries instead.)
#   make examples-deps              every language's
#   make examples-deps-<runtime>    one language's: python, nodejs, go or yaml

.PHONY: examples-deps

EXAMPLES_BUILD := $(CURDIR)/build/examples
EXAMPLE_PYTHON_VENV := $(EXAMPLES_BUILD)/python-venv

EXAMPLE_PYTHON_SDK := $(EXAMPLES_BUILD)/python-sdk

# The Python examples' interpreter: pulumi, PyYAML (for the inline driver) and the
# Python SDK, installed from a copy: pip builds inside the tree it installs from,
# and sdk/ holds generated files only.
$(EXAMPLE_PYTHON_VENV)/.installed: sdk/python/pyproject.toml $(shell find sdk/python -name '*.py')
	rm -rf $(EXAMPLE_PYTHON_VENV) $(EXAMPLE_PYTHON_SDK)
	mkdir -p $(EXAMPLE_PYTHON_SDK)
	git ls-files -z sdk/python | xargs -0 tar -cf - | tar -C $(EXAMPLE_PYTHON_SDK) --strip-components=2 -xf -
	$(PYTHON) -m venv $(EXAMPLE_PYTHON_VENV)
	$(EXAMPLE_PYTHON_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		pulumi==3.272.0 PyYAML $(EXAMPLE_PYTHON_SDK)
	touch $@

.PHONY: examples-deps-python
examples-deps-python: $(EXAMPLE_PYTHON_VENV)/.installed

# pulumi_databricks in the same interpreter, for the benchmark's program that
# declares the resources by hand (bench/raw_databricks); `make bench` only.
EXAMPLE_PYTHON_DATABRICKS := $(EXAMPLE_PYTHON_VENV)/.databricks-installed
$(EXAMPLE_PYTHON_DATABRICKS): $(EXAMPLE_PYTHON_VENV)/.installed
	$(EXAMPLE_PYTHON_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pulumi-databricks==1.118.0
	touch $@

# --------------------------------------------------------------------------- Node.js
# build/examples/nodejs: one node_modules for the TypeScript examples and their
# inline driver (toolchain/drivers/nodejs), so both load the same @pulumi/pulumi.
EXAMPLE_NODE         := $(EXAMPLES_BUILD)/nodejs
EXAMPLE_NODE_DEPS    := $(EXAMPLE_NODE)/.npm-installed
EXAMPLE_NODE_SDK     := $(EXAMPLE_NODE)/node_modules/@llmkeyvault/pulumi/package.json
EXAMPLE_NODE_DRIVER  := $(EXAMPLE_NODE)/driver/node_inline.js
EXAMPLE_NODE_TSC     := $(EXAMPLE_NODE)/node_modules/.bin/tsc
NODE_DRIVER_SRC      := toolchain/drivers/nodejs
NPM_QUIET            := --no-audit --no-fund --loglevel=error

# @pulumi/pulumi, TypeScript and @types/node, exactly as locked. @pulumi/pulumi
# 3.248.0 is the newest release that supports Node.js 20 (later ones need 22).
$(EXAMPLE_NODE_DEPS): $(NODE_DRIVER_SRC)/package.json $(NODE_DRIVER_SRC)/package-lock.json
	rm -rf $(EXAMPLE_NODE)
	mkdir -p $(EXAMPLE_NODE)
	cp $^ $(EXAMPLE_NODE)/
	cd $(EXAMPLE_NODE) && npm ci $(NPM_QUIET)
	touch $@

# The Node.js SDK from sdk/nodejs, compiled with its own tsconfig (as the npm
# package is) straight into node_modules. Rebuilt after every npm ci, which
# empties node_modules.
$(EXAMPLE_NODE_SDK): $(EXAMPLE_NODE_DEPS) sdk/nodejs/package.json \
		$(shell find sdk/nodejs \( -name node_modules -o -name bin \) -prune -o -name '*.ts' -print)
	rm -rf $(EXAMPLE_NODE)/sdk-src $(@D)
	mkdir -p $(EXAMPLE_NODE)/sdk-src $(@D)
	tar -C sdk/nodejs --exclude=./node_modules --exclude=./bin -cf - . | tar -C $(EXAMPLE_NODE)/sdk-src -xf -
	$(EXAMPLE_NODE_TSC) -p $(EXAMPLE_NODE)/sdk-src --outDir $(@D)
	cp sdk/nodejs/package.json sdk/nodejs/README.md $(@D)/

# The inline driver, compiled beside the node_modules it imports.
$(EXAMPLE_NODE_DRIVER): $(EXAMPLE_NODE_DEPS) $(NODE_DRIVER_SRC)/node_inline.ts $(NODE_DRIVER_SRC)/tsconfig.json
	rm -rf $(EXAMPLE_NODE)/driver-src $(@D)
	mkdir -p $(EXAMPLE_NODE)/driver-src
	cp $(NODE_DRIVER_SRC)/node_inline.ts $(NODE_DRIVER_SRC)/tsconfig.json $(EXAMPLE_NODE)/driver-src/
	$(EXAMPLE_NODE_TSC) -p $(EXAMPLE_NODE)/driver-src --outDir $(@D)

.PHONY: examples-deps-nodejs
examples-deps-nodejs: $(EXAMPLE_NODE_SDK) $(EXAMPLE_NODE_DRIVER)

# --------------------------------------------------------------------------- Go
# Each Go example carries its inline driver in inline_test.go (build tag
# `inline`): Go cannot call a main package's program from another module, so
# `go test -c` builds the example's package with its driver into one binary.
# Same flags as the CLI in toolchain/toolchain.mk, so the build cache it filled is reused.
EXAMPLE_GO_DRIVER := $(EXAMPLES_BUILD)/go/gcp-go-inline
SDK_GO_SOURCES := sdk/go/go.mod $(shell find sdk/go -name '*.go')

$(EXAMPLE_GO_DRIVER): $(wildcard examples/gcp-go/*.go) examples/gcp-go/go.mod examples/gcp-go/go.sum $(SDK_GO_SOURCES)
	@mkdir -p $(@D)
	CGO_ENABLED=0 go -C examples/gcp-go test -c -trimpath -tags inline,osusergo,grpcnotrace -ldflags "-s -w" -o $@ .

.PHONY: examples-deps-go
examples-deps-go: $(EXAMPLE_GO_DRIVER)

# YAML examples need only the YAML host: examples-deps-yaml in toolchain/toolchain.mk.

examples-deps: examples-deps-python examples-deps-nodejs examples-deps-go

# One example's runtime, read from its Pulumi.yaml (`runtime: go` or `runtime: {name: python}`).
example-runtime = $(shell sed -n -e 's/^runtime: *\([a-z]\{1,\}\) *$$/\1/p' \
	-e '/^runtime: *$$/,/^[^ ]/s/^  name: *\([a-z]\{1,\}\).*/\1/p' examples/$(1)/Pulumi.yaml)
