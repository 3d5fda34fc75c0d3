# The provider plugin, ready for the engine, and its release tarball.
#   make build   build/plugin/ (shim, wheel, own venv) and bin/pulumi-resource-llmkeyvault
#   make dist    dist/pulumi-resource-llmkeyvault-v$(VERSION)-linux-amd64.tar.gz (+ SDK artefacts)

.PHONY: build dist-plugin

PLUGIN_DIR := $(CURDIR)/build/plugin
PLUGIN_SHIM := provider/cmd/pulumi-resource-llmkeyvault/pulumi-resource-llmkeyvault
PLUGIN_SOURCES := $(shell find provider/llmkeyvault_provider -name '*.py') provider/pyproject.toml schema.yaml
PLUGIN_TARBALL := $(CURDIR)/dist/pulumi-resource-llmkeyvault-v$(VERSION)-linux-amd64.tar.gz

# The plugin's own venv builds the wheel too, so the plugin does not wait for the
# development environment (.venv, with its test SDKs) to be installed.
$(PLUGIN_DIR)/.built: $(PLUGIN_SOURCES) $(PLUGIN_SHIM)
	rm -rf $(PLUGIN_DIR) && mkdir -p $(PLUGIN_DIR)
	rm -rf provider/build  # setuptools' own copy would otherwise outlive edits made within a second
	$(PYTHON) -m venv $(PLUGIN_DIR)/venv
	$(PLUGIN_DIR)/venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir $(PLUGIN_DIR) ./provider
	cp $(PLUGIN_SHIM) $(PLUGIN_DIR)/
	$(PLUGIN_DIR)/venv/bin/python -m pip install --quiet --disable-pip-version-check $(PLUGIN_DIR)/llmkeyvault_provider-*.whl
	touch $@
	touch $(PLUGIN_DIR)/pulumi-resource-llmkeyvault  # newer than the stamp: bin/'s link to it is then up to date

bin/pulumi-resource-llmkeyvault: $(PLUGIN_DIR)/.built
	mkdir -p bin
	ln -sfn $(PLUGIN_DIR)/pulumi-resource-llmkeyvault $@

build: bin/pulumi-resource-llmkeyvault

# The tarball holds the shim and the wheel; the shim makes its venv on first start.
$(PLUGIN_TARBALL): $(PLUGIN_DIR)/.built
	mkdir -p dist
	tar -C $(PLUGIN_DIR) -czf $@ pulumi-resource-llmkeyvault $$(cd $(PLUGIN_DIR) && ls llmkeyvault_provider-*.whl)

dist-plugin: $(PLUGIN_TARBALL)
