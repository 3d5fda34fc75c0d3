"""Databricks and Azure naming rules and limits, in one place.

Sources: the Databricks Secrets API reference (scope and key names), Azure Key
Vault's object-name rules, and the component contract (provider ids).
"""

from __future__ import annotations

import re
from typing import Final

PROVIDER_NAME: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
PROVIDER_NAME_RULE: Final = "1 to 40 of a-z, 0-9 and '-', starting with a letter or digit"

# Databricks documents the narrower rule; the provider's own check also admits '@' and '/'.
# Characters and length are checked apart so that each refusal says which one failed.
NAME_CHARACTERS: Final = re.compile(r"[A-Za-z0-9._-]+")
NAME_RULE: Final = "1 to 128 of letters, digits, '.', '_' and '-'"
MAX_NAME_LENGTH: Final = 128

KEY_VAULT_SECRET_NAME: Final = re.compile(r"[A-Za-z0-9-]{1,127}")
KEY_VAULT_SECRET_NAME_RULE: Final = "1 to 127 of letters, digits and '-' (no '_' or '.')"

# 3-24 characters, letters, digits and '-', starting with a letter, no '--'.
KEY_VAULT_NAME: Final = re.compile(r"(?!.*--)[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]")
KEY_VAULT_RESOURCE_ID: Final = re.compile(
    r"/subscriptions/(?P<subscription>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})"
    r"/resourceGroups/(?P<group>[-\w._()]{1,90})"
    r"/providers/Microsoft\.KeyVault/vaults/(?P<vault>[^/]+)",
    re.IGNORECASE,
)
KEY_VAULT_RESOURCE_ID_FORM: Final = (
    "/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault name>"
)
KEY_VAULT_DNS_NAME: Final = re.compile(r"https://[A-Za-z0-9-]+\.vault\.[A-Za-z0-9.-]+/?")

ENV_VAR_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ENV_VAR_NAME_RULE: Final = "letters, digits and '_', not starting with a digit"

PRINCIPAL_MAX_LENGTH: Final = 255

#: the built-in group of every workspace user
WORKSPACE_USERS: Final = "users"

#: ``-`` and 8 hex characters from a 4-byte ``random.RandomId``
SUFFIX_BYTES: Final = 4
SUFFIX_LENGTH: Final = 1 + 2 * SUFFIX_BYTES
