# The provider plugin, ready for the engine, and its release archives.
#   make build        build/plugin/ (launcher, wheel, own venv) and bin/pulumi-resource-llmkeyvault
#   make dist-plugin  dist/pulumi-resource-llmkeyvault-v$(VERSION)-<os>-<arch>.tar.gz for
#                     linux and darwin on amd64 and arm64, and windows-amd64
#   make lock         provider/requirements.txt and requirements-uv.txt from their .in files
#   make lock-check   fail if a lock is not what `make lock` would write

.PHONY: build dist-plugin lock lock-check

PLUGIN_DIR := $(CURDIR)/build/plugin
PLUGIN_CMD_DIR := provider/cmd/pulumi-resource-llmkeyvault
PLUGIN_SHIM := $(PLUGIN_CMD_DIR)/pulumi-resource-llmkeyvault
PLUGIN_SOURCES := $(shell find provider/llmkeyvault_provider -name '*.py') provider/pyproject.toml schema.yaml
# The plugin's runtime dependencies, exact versions with hashes, and the installer its
# archives ship (uv), both locked by `make lock` from the .in files beside them.
PLUGIN_LOCK := provider/requirements.txt
UV_LOCK := provider/requirements-uv.txt
# pip's flags for a locked install: every requirement pinned and hashed, no resolution
# beyond the lock, wheels only (no package's build code runs).
LOCKED_PIP := --quiet --disable-pip-version-check --no-input --require-hashes --no-deps --only-binary :all:

# The lock considers only what the index had at LOCK_DATE, so the lock does not change
# unless its inputs do; raise the date to take newer releases.
LOCK_DATE := 2026-12-03T00:00:00Z
LOCK_COMPILE = $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.10 --generate-hashes \
	--exclude-newer $(LOCK_DATE) --custom-compile-command "make lock"

lock: | $(VENV)/.installed
	$(LOCK_COMPILE) provider/requirements.in -o $(PLUGIN_LOCK)
	$(LOCK_COMPILE) provider/requirements-uv.in -o $(UV_LOCK)

lock-check: | $(VENV)/.installed
	@rm -rf build/lock-check && mkdir -p build/lock-check
	@$(LOCK_COMPILE) provider/requirements.in -o build/lock-check/requirements.txt
	@$(LOCK_COMPILE) provider/requirements-uv.in -o build/lock-check/requirements-uv.txt
	@diff -u $(PLUGIN_LOCK) build/lock-check/requirements.txt && diff -u $(UV_LOCK) build/lock-check/requirements-uv.txt \
		|| { echo "lock-check: a lock is out of date with its .in file: run make lock" >&2; exit 1; }

# The plugin's own venv builds the wheel too, so the plugin does not wait for the
# development environment (.venv, with its test SDKs) to be installed. It installs the
# lock as the launcher does on a fresh install (with pip: uv comes with the archives).
$(PLUGIN_DIR)/.built: $(PLUGIN_SOURCES) $(PLUGIN_SHIM) $(PLUGIN_LOCK)
	rm -rf $(PLUGIN_DIR) && mkdir -p $(PLUGIN_DIR)
	rm -rf provider/build  # setuptools' own copy would otherwise outlive edits made within a second
	$(PYTHON) -m venv $(PLUGIN_DIR)/venv
	$(PLUGIN_DIR)/venv/bin/python -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir $(PLUGIN_DIR) ./provider
	cp $(PLUGIN_SHIM) $(PLUGIN_LOCK) $(PLUGIN_DIR)/
	$(PLUGIN_DIR)/venv/bin/python -m pip install $(LOCKED_PIP) -r $(PLUGIN_DIR)/requirements.txt
	$(PLUGIN_DIR)/venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-index \
		$(PLUGIN_DIR)/llmkeyvault_provider-*.whl
	touch $@
	touch $(PLUGIN_DIR)/pulumi-resource-llmkeyvault  # newer than the stamp: bin/'s link to it is then up to date

bin/pulumi-resource-llmkeyvault: $(PLUGIN_DIR)/.built
	mkdir -p bin
	ln -sfn $(PLUGIN_DIR)/pulumi-resource-llmkeyvault $@

build: bin/pulumi-resource-llmkeyvault

# ---------------------------------------------------------------------------
# Release archives, one per platform the engine downloads a plugin for, named as it asks
# (pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz, sdk/go/common/workspace/plugins.go).
# Each holds the launcher of its OS (POSIX sh, or .cmd, the engine's Windows extension),
# the lock, the provider's wheel and uv for that platform; the launcher makes the venv on
# first start. windows-arm64 is left out: grpcio, which the Pulumi SDK needs, publishes
# no wheel for it.
PLUGIN_PLATFORMS := linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64
PLUGIN_TARBALLS := $(foreach p,$(PLUGIN_PLATFORMS),$(CURDIR)/dist/pulumi-resource-llmkeyvault-v$(VERSION)-$(p).tar.gz)
PLUGIN_STAGE := $(CURDIR)/build/plugin-dist
UV_BUILD := $(CURDIR)/build/uv
# uv's wheel platform tag for each plugin platform.
uv-tag-linux-amd64 := manylinux_2_17_x86_64
uv-tag-linux-arm64 := manylinux_2_17_aarch64
uv-tag-darwin-amd64 := macosx_10_12_x86_64
uv-tag-darwin-arm64 := macosx_11_0_arm64
uv-tag-windows-amd64 := win_amd64
uv-exe = $(if $(filter windows-%,$(1)),uv.exe,uv)
launcher = $(if $(filter windows-%,$(1)),pulumi-resource-llmkeyvault.cmd,pulumi-resource-llmkeyvault)
# Reproducible archives: sorted names, fixed times, owners and modes, no gzip timestamp.
PLUGIN_TAR := tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u+rwX,go+rX,go-w

UV_FETCHED := $(foreach p,$(PLUGIN_PLATFORMS),$(UV_BUILD)/$(p)/.fetched)
.SECONDARY: $(UV_FETCHED)

# uv's binary for a platform, from its wheel as the lock names it (hash checked by pip).
$(UV_BUILD)/%/.fetched: $(UV_LOCK)
	rm -rf $(UV_BUILD)/$* && mkdir -p $(UV_BUILD)/$*
	$(PYTHON) -m pip download $(LOCKED_PIP) --platform $(uv-tag-$*) --python-version 3.10 \
		-d $(UV_BUILD)/$* -r $(UV_LOCK)
	$(PYTHON) -c 'import sys, zipfile, pathlib; w, name, out = sys.argv[1:]; \
		z = zipfile.ZipFile(w); m = [n for n in z.namelist() if n.endswith(".data/scripts/" + name)]; \
		p = pathlib.Path(out, name); p.write_bytes(z.read(m[0])); p.chmod(0o755)' \
		$$(ls $(UV_BUILD)/$*/uv-*.whl) $(call uv-exe,$*) $(UV_BUILD)/$*
	touch $@

$(CURDIR)/dist/pulumi-resource-llmkeyvault-v$(VERSION)-%.tar.gz: $(PLUGIN_DIR)/.built $(UV_BUILD)/%/.fetched $(PLUGIN_CMD_DIR)/*
	rm -rf $(PLUGIN_STAGE)/$* && mkdir -p $(PLUGIN_STAGE)/$* dist
	cp $(PLUGIN_CMD_DIR)/$(call launcher,$*) $(PLUGIN_LOCK) $(PLUGIN_DIR)/llmkeyvault_provider-*.whl \
		$(UV_BUILD)/$*/$(call uv-exe,$*) $(PLUGIN_STAGE)/$*/
	$(PLUGIN_TAR) -C $(PLUGIN_STAGE)/$* -cf - . | gzip -n >$@

dist-plugin: $(PLUGIN_TARBALLS)
