"""What the examples declare, as the workspace emulator shows it once they are deployed
(``devtools.workspace.layout`` and ``uc_layout``): shared by the tests that deploy them."""

from __future__ import annotations

from typing import Any


def scope(keys: list[str], grants: dict[str, str], backend: str = "DATABRICKS") -> dict[str, Any]:
    """One secret scope: its backend, its keys and its ACLs."""
    return {"backend": backend, "keys": sorted(keys), "grants": grants}


#: gcp-go: a scope per provider and who may read it
GCP_SCOPES = {
    "openai": {"ml-platform": "READ", "chat-assistants": "READ", "platform-admins": "MANAGE"},
    "anthropic": {"ml-platform": "READ", "chat-assistants": "READ", "research": "READ", "platform-admins": "MANAGE"},
    "google": {"ml-platform": "READ", "analytics": "READ", "platform-admins": "MANAGE"},
}

#: unity-catalog-yaml: the principals given USE_CATALOG and USE_SCHEMA
UC_PRINCIPALS = ["ai-gateway-owners", "chat-assistants", "data-science", "platform-admins"]


def uc_secret_grants(provider: str) -> dict[str, list[str]]:
    """unity-catalog-yaml: the grants on one provider's secret."""
    grants = {"ai-gateway-owners": ["REFERENCE_SECRET"], "data-science": ["READ_SECRET"], "platform-admins": ["MANAGE"]}
    if provider == "anthropic":
        grants["chat-assistants"] = ["READ_SECRET"]
    return grants
