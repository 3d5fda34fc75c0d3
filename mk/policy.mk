# The llmkeyvault-guardrails policy pack (policy/, docs/policy.md).
# Included from the root Makefile; all paths are relative to $(CURDIR).
#   make build         also makes the pack's virtual environment, policy/venv, so that
#                      `pulumi preview --policy-pack policy` works
#   make policy-demo   previews a raw pulumi-databricks program and an example with the
#                      pack, against the workspace emulator

.PHONY: policy-venv policy-demo

POLICY_DIR  := $(CURDIR)/policy
POLICY_VENV := $(POLICY_DIR)/venv

# policy/venv is the `virtualenv` of policy/PulumiPolicy.yaml: the Python host
# (bin/pulumi-language-python) runs the pack with its interpreter. The pack takes
# the component's type, its children's types, the groups of every user and the
# key-material check from the provider package itself, installed editable so the
# pack always judges with the provider's current rules.
$(POLICY_VENV)/.installed: $(POLICY_DIR)/requirements.txt provider/pyproject.toml
	rm -rf $(POLICY_VENV)
	$(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	$(POLICY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e ./provider
	touch $@

policy-venv: $(POLICY_VENV)/.installed

build: policy-venv

policy-demo: tools build emulator examples-deps
	$(PY) -m devtools.policy_demo
