"""Versions of the provider plugins that the component's children belong to.

The engine runs each child with exactly this plugin version. They are the
versions of the typed SDKs the tests check the children against (pinned in
provider/pyproject.toml's test extra; tests/test_schema.py keeps both equal).
They are deliberately not schema `dependencies`: the component exposes no
type of these packages, so its SDKs must not depend on theirs.
"""

from __future__ import annotations

from typing import Final

PLUGIN_VERSIONS: Final[dict[str, str]] = {
    "databricks": "1.118.0",
    "random": "4.21.4",
    "azure-native": "3.29.0",
}
