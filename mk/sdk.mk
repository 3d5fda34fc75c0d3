# Generated SDKs (sdk/<language>) and their release artefacts (see docs/sdks.md).
# Included from the root Makefile; all paths are relative to $(CURDIR).
#   make gen-sdk     regenerate sdk/python, sdk/nodejs, sdk/go and sdk/dotnet from schema.yaml
#   make dist-sdks   dist/python (wheel, sdist), dist/nodejs (npm tarball), dist/go, dist/dotnet
#
# sdk/ is generated, committed and never edited by hand. The generators are
# Pulumi's own code generators, driven offline by two small Go programs:
#   tools/gensdk          Python, Node.js, Go: pulumi/pkg/v3 codegen at the CLI's version
#   tools/gensdk/dotnet   C#: the generator of pulumi-language-dotnet (pulumi-dotnet)
# docs/sdks.md says why `pulumi package gen-sdk` itself is not used.

.PHONY: gen-sdk gensdk-tools dist-sdks dist-sdk-python dist-sdk-nodejs dist-sdk-go dist-sdk-dotnet

# Where gen-sdk writes; tests regenerate into a scratch folder to compare.
SDK_OUT ?= $(CURDIR)/sdk
SDK_SCHEMA := $(CURDIR)/schema.yaml

GENSDK_BIN        := $(CURDIR)/build/gensdk/bin
GENSDK            := $(GENSDK_BIN)/gensdk
GENSDK_DOTNET     := $(GENSDK_BIN)/gensdk-dotnet
GENSDK_DIR        := $(CURDIR)/tools/gensdk
GENSDK_DOTNET_DIR := $(GENSDK_DIR)/dotnet
PULUMI_DOTNET_MOD := github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3
# The .NET generator downloads Pulumi's default package icon on every run;
# gensdk-dotnet answers that request with this copy from the same module.
PULUMI_DOTNET_LOGO = $$(go -C $(GENSDK_DOTNET_DIR) list -m -f '{{.Dir}}' $(PULUMI_DOTNET_MOD))/codegen/testdata/simplified-invokes/logo.png

# The schema's logoUrl is this file on the repository's main branch; the .NET
# generator gets it from here rather than over the network.
SDK_LOGO := $(CURDIR)/docs/logo.png

# The CLI's build flags (mk/tools.mk), so the packages both use come from the Go build cache.
GENSDK_GO := CGO_ENABLED=0 go
GENSDK_GO_FLAGS := -trimpath -tags osusergo,grpcnotrace

# Both generators share tools/gensdk/sdkfiles (reading the schema, writing a tree).
GENSDK_SHARED := $(wildcard $(GENSDK_DIR)/sdkfiles/*.go) $(GENSDK_DIR)/sdkfiles/go.mod

$(GENSDK): $(GENSDK_DIR)/main.go $(GENSDK_DIR)/go.mod $(GENSDK_DIR)/go.sum $(GENSDK_SHARED)
	$(GENSDK_GO) -C $(GENSDK_DIR) build $(GENSDK_GO_FLAGS) -o $@ .

$(GENSDK_DOTNET): $(GENSDK_DOTNET_DIR)/main.go $(GENSDK_DOTNET_DIR)/go.mod $(GENSDK_DOTNET_DIR)/go.sum $(GENSDK_SHARED)
	$(GENSDK_GO) -C $(GENSDK_DOTNET_DIR) build $(GENSDK_GO_FLAGS) -o $@ .

gensdk-tools: $(GENSDK) $(GENSDK_DOTNET)

gen-sdk: gensdk-tools
	@for lang in python nodejs go; do \
		echo "gensdk: $$lang -> $(SDK_OUT)/$$lang"; \
		$(GENSDK) -schema $(SDK_SCHEMA) -language $$lang -out $(SDK_OUT)/$$lang || exit 1; \
	done
	@echo "gensdk-dotnet: dotnet -> $(SDK_OUT)/dotnet"
	@$(GENSDK_DOTNET) -schema $(SDK_SCHEMA) -out $(SDK_OUT)/dotnet -logo "$(PULUMI_DOTNET_LOGO)" -package-logo $(SDK_LOGO)

# ---------------------------------------------------------------------------
# Release artefacts, built from sdk/ as git sees it (tracked or not ignored, so no
# stray build output) in a copy under build/sdk-dist/src.

SDK_DIST  := $(CURDIR)/dist
SDK_BUILD := $(CURDIR)/build/sdk-dist
SDK_SRC   := $(SDK_BUILD)/src/sdk
# Reproducible tarballs: sorted names, fixed times, owners and modes, no gzip timestamp.
SDK_TAR   := tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u+rwX,go+rX,go-w

# $(call sdk-copy,LANGUAGE): fresh copy of sdk/LANGUAGE in $(SDK_SRC)/LANGUAGE.
define sdk-copy
rm -rf $(SDK_SRC)/$(1) && mkdir -p $(SDK_SRC)
git ls-files -z --cached --others --exclude-standard -- sdk/$(1) | tar --null -T - -cf - | tar -C $(SDK_SRC)/.. -xf -
endef

dist-sdks: dist-sdk-python dist-sdk-nodejs dist-sdk-go dist-sdk-dotnet

# Wheel and sdist, built by `python -m build` (installed into .venv on first use).
dist-sdk-python: | $(VENV)/.installed
	$(call sdk-copy,python)
	rm -rf $(SDK_DIST)/python && mkdir -p $(SDK_DIST)/python
	$(PY) -m pip show --quiet build >/dev/null 2>&1 || $(PY) -m pip install --quiet --disable-pip-version-check build
	$(PY) -m build --sdist --wheel --outdir $(SDK_DIST)/python $(SDK_SRC)/python

# npm tarball with compiled JavaScript and .d.ts: npm install, tsc, then pack
# bin/ with the generated package.json beside the code (utilities.js reads it).
dist-sdk-nodejs:
	$(call sdk-copy,nodejs)
	rm -rf $(SDK_DIST)/nodejs && mkdir -p $(SDK_DIST)/nodejs
	cd $(SDK_SRC)/nodejs && npm install --no-audit --no-fund --loglevel=error && npm run build
	cp $(SDK_SRC)/nodejs/package.json $(SDK_SRC)/nodejs/README.md $(SDK_SRC)/nodejs/bin/
	cd $(SDK_SRC)/nodejs/bin && npm pack --loglevel=error --pack-destination $(SDK_DIST)/nodejs

# Go modules are fetched from version control (tag sdk/go/v$(VERSION)); the
# archive is the module's source as tagged.
dist-sdk-go:
	$(call sdk-copy,go)
	rm -rf $(SDK_DIST)/go && mkdir -p $(SDK_DIST)/go
	$(SDK_TAR) -C $(SDK_SRC) -cf - go | gzip -n > $(SDK_DIST)/go/pulumi-llmkeyvault-sdk-go-v$(VERSION).tar.gz

# The C# project as generated; it is built with `dotnet pack` where NuGet is reachable.
dist-sdk-dotnet:
	$(call sdk-copy,dotnet)
	rm -rf $(SDK_DIST)/dotnet && mkdir -p $(SDK_DIST)/dotnet
	$(SDK_TAR) -C $(SDK_SRC) -cf - dotnet | gzip -n > $(SDK_DIST)/dotnet/pulumi-llmkeyvault-sdk-dotnet-v$(VERSION).tar.gz
