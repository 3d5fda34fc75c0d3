# Generated SDKs (sdk/<language>) and their release artefacts (see docs/sdks.md).
# Included from the root Makefile; all paths are relative to $(CURDIR).
#   make gen-sdk     regenerate sdk/python, sdk/nodejs, sdk/go, sdk/dotnet and sdk/java from schema.yaml
#   make dist-sdks   dist/python (wheel, sdist), dist/nodejs (npm tarball), dist/go, dist/dotnet,
#                    dist/java (jar, sources jar, pom)
#   make java-deps   resolve the Java SDK's Maven dependencies once into build/maven
#
# sdk/ is generated, committed and never edited by hand. The generators are
# Pulumi's own code generators, driven offline by two small Go programs:
#   toolchain/gensdk          Python, Node.js, Go: pulumi/pkg/v3 codegen at the CLI's version
#   toolchain/gensdk/dotnet   C#: the generator of pulumi-language-dotnet (pulumi-dotnet)
#   toolchain/gensdk/java     Java: pulumi-java's generator, plus the Maven pom.xml
# docs/sdks.md says why `pulumi package gen-sdk` itself is not used.

.PHONY: gen-sdk gen-sdk-java gensdk-tools dist-sdks dist-sdk-python dist-sdk-nodejs dist-sdk-go dist-sdk-dotnet \
	dist-sdk-java java-deps

# Where gen-sdk writes; tests regenerate into a scratch folder to compare.
SDK_OUT ?= $(CURDIR)/sdk
SDK_SCHEMA := $(CURDIR)/schema.yaml

GENSDK_BIN        := $(CURDIR)/build/gensdk/bin
GENSDK            := $(GENSDK_BIN)/gensdk
GENSDK_DOTNET     := $(GENSDK_BIN)/gensdk-dotnet
GENSDK_DIR        := $(CURDIR)/toolchain/gensdk
GENSDK_DOTNET_DIR := $(GENSDK_DIR)/dotnet
GENSDK_JAVA       := $(GENSDK_BIN)/gensdk-java
GENSDK_JAVA_DIR   := $(GENSDK_DIR)/java
PULUMI_DOTNET_MOD := github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3
# The .NET generator downloads Pulumi's default package icon on every run;
# gensdk-dotnet answers that request with this copy from the same module.
PULUMI_DOTNET_LOGO = $$(go -C $(GENSDK_DOTNET_DIR) list -m -f '{{.Dir}}' $(PULUMI_DOTNET_MOD))/codegen/testdata/simplified-invokes/logo.png

# The schema's logoUrl is this file on the repository's main branch; the .NET
# generator gets it from here rather than over the network.
SDK_LOGO := $(CURDIR)/docs/logo.png

# The CLI's build flags (toolchain/toolchain.mk), so the packages both use come from the Go build cache.
GENSDK_GO := CGO_ENABLED=0 go
GENSDK_GO_FLAGS := -trimpath -tags osusergo,grpcnotrace

# Both generators share toolchain/gensdk/sdkfiles (reading the schema, writing a tree).
GENSDK_SHARED := $(wildcard $(GENSDK_DIR)/sdkfiles/*.go) $(GENSDK_DIR)/sdkfiles/go.mod

$(GENSDK): $(GENSDK_DIR)/main.go $(GENSDK_DIR)/go.mod $(GENSDK_DIR)/go.sum $(GENSDK_SHARED)
	$(GENSDK_GO) -C $(GENSDK_DIR) build $(GENSDK_GO_FLAGS) -o $@ .

$(GENSDK_DOTNET): $(GENSDK_DOTNET_DIR)/main.go $(GENSDK_DOTNET_DIR)/go.mod $(GENSDK_DOTNET_DIR)/go.sum $(GENSDK_SHARED)
	$(GENSDK_GO) -C $(GENSDK_DOTNET_DIR) build $(GENSDK_GO_FLAGS) -o $@ .

$(GENSDK_JAVA): $(GENSDK_JAVA_DIR)/main.go $(GENSDK_JAVA_DIR)/go.mod $(GENSDK_JAVA_DIR)/go.sum $(GENSDK_SHARED)
	$(GENSDK_GO) -C $(GENSDK_JAVA_DIR) build $(GENSDK_GO_FLAGS) -o $@ .

gensdk-tools: $(GENSDK) $(GENSDK_DOTNET) $(GENSDK_JAVA)

gen-sdk: gensdk-tools gen-sdk-java
	@for lang in python nodejs go; do \
		echo "gensdk: $$lang -> $(SDK_OUT)/$$lang"; \
		$(GENSDK) -schema $(SDK_SCHEMA) -language $$lang -out $(SDK_OUT)/$$lang || exit 1; \
	done
	@echo "gensdk-dotnet: dotnet -> $(SDK_OUT)/dotnet"
	@$(GENSDK_DOTNET) -schema $(SDK_SCHEMA) -out $(SDK_OUT)/dotnet -logo "$(PULUMI_DOTNET_LOGO)" -package-logo $(SDK_LOGO)

gen-sdk-java: $(GENSDK_JAVA)
	@echo "gensdk-java: java -> $(SDK_OUT)/java"
	@$(GENSDK_JAVA) -schema $(SDK_SCHEMA) -out $(SDK_OUT)/java

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

dist-sdks: dist-sdk-python dist-sdk-nodejs dist-sdk-go dist-sdk-dotnet dist-sdk-java

# One language's artefacts alone, e.g. `make dist-plugin dist-python` for a Python-only team.
.PHONY: dist-python dist-nodejs dist-go dist-dotnet dist-java
dist-python: dist-sdk-python
dist-nodejs: dist-sdk-nodejs
dist-go: dist-sdk-go
dist-dotnet: dist-sdk-dotnet
dist-java: dist-sdk-java

# $(SDK_BUILD)/LANGUAGE.files: the path and SHA-256 of every file of sdk/LANGUAGE as git
# sees it, rewritten only when that list changes. An artefact made from it is rebuilt
# exactly when a file of its SDK is added, edited or removed, and not otherwise, so the
# slow builds (npm install and tsc, python -m build) run once however often they are asked for.
$(SDK_BUILD)/%.files: FORCE
	@mkdir -p $(@D)
	@git ls-files -z --cached --others --exclude-standard -- sdk/$* | xargs -0 -r sha256sum >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

.PHONY: FORCE
FORCE:

SDK_WHEEL   = $(SDK_DIST)/python/pulumi_llmkeyvault-$(VERSION)-py3-none-any.whl
SDK_TARBALL = $(SDK_DIST)/nodejs/llmkeyvault-pulumi-$(VERSION).tgz

# Wheel and sdist, built by `python -m build` (installed into .venv on first use).
dist-sdk-python: $(SDK_WHEEL)
$(SDK_WHEEL): $(SDK_BUILD)/python.files | $(VENV)/.installed
	$(call sdk-copy,python)
	rm -rf $(SDK_DIST)/python && mkdir -p $(SDK_DIST)/python
	$(PY) -m pip show --quiet build >/dev/null 2>&1 || $(PY) -m pip install --quiet --disable-pip-version-check build
	$(PY) -m build --sdist --wheel --outdir $(SDK_DIST)/python $(SDK_SRC)/python

# npm tarball with compiled JavaScript and .d.ts: npm install, tsc, then pack
# bin/ with the generated package.json beside the code (utilities.js reads it).
dist-sdk-nodejs: $(SDK_TARBALL)
$(SDK_TARBALL): $(SDK_BUILD)/nodejs.files
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

# ---------------------------------------------------------------------------
# Java: Maven, with its local repository under build/ (never ~/.m2). `java-deps`
# resolves online once what the SDK build and the Java test program
# (tests/sdk/java) need, by building and running both once with the network
# (Maven's dependency:go-offline misses what Surefire resolves at run time); every
# later Maven run is offline (-o). It is redone when either pom.xml changes.

MAVEN_REPO   := $(CURDIR)/build/maven
# Maven's JVM only starts and compiles a little: C1 alone makes it about 3 times quicker.
MAVEN_JVM    := -XX:+TieredCompilation -XX:TieredStopAtLevel=1
MVN          := MAVEN_OPTS="$(MAVEN_JVM) $$MAVEN_OPTS" mvn -B -q -Dmaven.repo.local=$(MAVEN_REPO) -Dstyle.color=never
JAVA_POMS    := $(CURDIR)/sdk/java/pom.xml $(CURDIR)/tests/sdk/java/pom.xml
# Keyed on the poms' content, so regenerating an unchanged SDK resolves nothing.
JAVA_DEPS    := $(MAVEN_REPO)/.resolved-$(shell cat $(JAVA_POMS) 2>/dev/null | sha256sum | cut -c1-16)
JAVA_SCRATCH := $(CURDIR)/build/java-deps
# The artefact is named after the package (toolchain/gensdk/java writes it so).
JAVA_ARTIFACT := $(shell sed -n 's/^name: *//p' $(CURDIR)/schema.yaml)
JAVA_FILES   = $(1)/$(JAVA_ARTIFACT)-$(VERSION)

# $(call java-sdk-package,MVN_FLAGS,OUT): build sdk/java as git sees it and put its
# jar, sources jar and pom in OUT as <artifact>-<version>{.jar,-sources.jar,.pom}.
define java-sdk-package
$(call sdk-copy,java)
$(MVN) $(1) -f $(SDK_SRC)/java/pom.xml package
rm -rf $(2) && mkdir -p $(2)
cp $(call JAVA_FILES,$(SDK_SRC)/java/target).jar $(call JAVA_FILES,$(SDK_SRC)/java/target)-sources.jar $(2)/
cp $(SDK_SRC)/java/pom.xml $(call JAVA_FILES,$(2)).pom
endef

# $(call java-sdk-install,MVN_FLAGS,DIR): install the artefacts in DIR into $(MAVEN_REPO).
define java-sdk-install
$(MVN) $(1) install:install-file -Dfile=$(call JAVA_FILES,$(2)).jar \
	-Dsources=$(call JAVA_FILES,$(2))-sources.jar -DpomFile=$(call JAVA_FILES,$(2)).pom
endef

$(JAVA_DEPS): $(JAVA_POMS)
	@mvn -v >/dev/null || { echo "java-deps: Maven (mvn) and a JDK 11+ are needed" >&2; exit 1; }
	$(call java-sdk-package,,$(JAVA_SCRATCH)/dist)
	$(call java-sdk-install,,$(JAVA_SCRATCH)/dist)
	rm -rf $(JAVA_SCRATCH)/program && cp -r $(CURDIR)/tests/sdk/java $(JAVA_SCRATCH)/program
	@# Runs the test program's tests: Surefire picks and resolves its JUnit runner only
	@# then. Their outcome is for tests/test_sdk_java.py to report, not for this target.
	$(MVN) -f $(JAVA_SCRATCH)/program/pom.xml -Dllmkeyvault.version=$(VERSION) \
		-Dmaven.test.failure.ignore=true test
	rm -f $(MAVEN_REPO)/.resolved-*
	touch $@

java-deps: $(JAVA_DEPS)

# dist/java: the jar, the sources jar and the pom, built offline.
dist-sdk-java: $(JAVA_DEPS)
	$(call java-sdk-package,-o,$(SDK_DIST)/java)

# Install dist/java (or SDK_DIST/java) into build/maven, offline, for programs built against it.
.PHONY: install-sdk-java
install-sdk-java: $(JAVA_DEPS)
	$(call java-sdk-install,-o,$(SDK_DIST)/java)
