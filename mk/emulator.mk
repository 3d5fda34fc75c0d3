# Workspace emulator: a TEST DOUBLE that serves the databricks, random and
# azure-native provider plugins from an emulated workspace, for tests and
# offline demos only (see emulator/README.md). Included from the root
# Makefile; all paths are relative to $(CURDIR).
#
# bin/emulator/ is kept off PATH on purpose: the engine uses these plugins only
# when a test points at this folder (project `plugins: providers:` or PATH).

EMULATOR_SRC_DIR := $(CURDIR)/emulator
EMULATOR_BIN_DIR := $(CURDIR)/bin/emulator
EMULATOR_BIN     := $(EMULATOR_BIN_DIR)/llmkeyvault-workspace-emulator
EMULATOR_PLUGINS := $(addprefix $(EMULATOR_BIN_DIR)/pulumi-resource-,databricks random azure-native)
EMULATOR_SRCS    := $(shell find $(EMULATOR_SRC_DIR) -name '*.go' -not -name '*_test.go') \
	$(EMULATOR_SRC_DIR)/go.mod $(EMULATOR_SRC_DIR)/go.sum

.PHONY: emulator emulator-test
emulator: $(EMULATOR_BIN) $(EMULATOR_PLUGINS)

$(EMULATOR_BIN): $(EMULATOR_SRCS)
	@mkdir -p $(EMULATOR_BIN_DIR)
	CGO_ENABLED=0 go -C $(EMULATOR_SRC_DIR) build $(GO_BUILD_FLAGS) -ldflags "-s -w" -o $@ ./cmd/llmkeyvault-workspace-emulator

# Symlinks, relative so the folder can move; remade when the binary changes.
$(EMULATOR_PLUGINS): $(EMULATOR_BIN)
	ln -sfn llmkeyvault-workspace-emulator $@

emulator-test:
	go -C $(EMULATOR_SRC_DIR) vet ./...
	go -C $(EMULATOR_SRC_DIR) test ./...
