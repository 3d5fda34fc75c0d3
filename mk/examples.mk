# What the examples need to run here: each language's SDK installed from sdk/.
# (Against a real workspace, each example's README says how to install from the
# package registries instead.)
#   make examples-deps

.PHONY: examples-deps

EXAMPLES_BUILD := $(CURDIR)/build/examples
EXAMPLE_PYTHON_VENV := $(EXAMPLES_BUILD)/python-venv

# The Python examples' interpreter: pulumi, PyYAML (for the inline driver) and the Python SDK.
$(EXAMPLE_PYTHON_VENV)/.installed: sdk/python/pyproject.toml $(shell find sdk/python -name '*.py')
	rm -rf $(EXAMPLE_PYTHON_VENV)
	$(PYTHON) -m venv $(EXAMPLE_PYTHON_VENV)
	$(EXAMPLE_PYTHON_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		pulumi==3.272.0 PyYAML ./sdk/python
	touch $@

examples-deps: $(EXAMPLE_PYTHON_VENV)/.installed
