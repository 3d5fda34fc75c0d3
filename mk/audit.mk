# The audit command (audit/), in its own environment for `make demo`; the
# development environment (.venv) installs it too (Makefile venv rule).
AUDIT_VENV := $(CURDIR)/build/audit-venv
AUDIT_CLI := $(AUDIT_VENV)/bin/llmkeyvault

.PHONY: audit-cli
audit-cli: $(AUDIT_CLI)

$(AUDIT_CLI): audit/pyproject.toml $(shell find audit/llmkeyvault_audit -name '*.py')
	rm -rf $(AUDIT_VENV)
	$(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check ./audit
	rm -rf audit/build
	touch $@
