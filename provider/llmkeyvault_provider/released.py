"""Secrets the stack created that are now external: let go of, or the change refused.

A provider that turns ``external`` drops its value-bearing child, and deleting that child
would delete the key its new owners hold. From the names the stack saved
(``lookups.Previous``) this decides, before anything is registered, which former children
are released (read at their own provider id: the engine then lets go of them and never
deletes them, pulumi ``resource/deploy/step_generator.go`` GenerateReadSteps) and which
changes are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .children import KEY_VAULT_SECRET, SECRET, UC_MISSING_ID, UC_SECRET
from .errors import FieldError
from .lookups import Previous
from .plandata import VaultPlan, scoped_id

KEY_VAULT_RELEASE_REFUSED = (
    "the stack created this key as Key Vault secret '{name}' from apiKey; with external set and no "
    "apiKey, this update would delete that secret from the vault. Make the change in two steps: "
    "`pulumi state delete '{urn}'` (the secret stays in the vault, no longer managed by the stack), "
    "then `pulumi up` with external set"
)
#: the saved outputs of a UC secret that name it
UC_SECRET_NAMES = ("catalogName", "schemaName", "name", "fullName")


@dataclass(frozen=True)
class Release:
    """A former child read at its own name and provider id, so the stack lets go of it."""

    type_token: str
    resource_name: str
    provider_id: str
    state: Mapping[str, Any]


def released_secrets(plan: VaultPlan, previous: Previous) -> dict[str, Release]:
    """The former secret child of each external key the stack created, by resource name.

    A Databricks secret's provider id is ``scope|||key``; a UC secret's is the bridge's literal
    (it has no id attribute). Key Vault secrets are never released (``refused_releases``)."""
    found: dict[str, Release] = {}
    for secret in plan.secrets:
        if not secret.external or plan.key_vault is not None:
            continue
        if plan.unity_catalog is not None:
            saved = previous.of(UC_SECRET, secret.resource_name)
            if saved is not None and "fullName" in saved:
                state = {k: saved[k] for k in UC_SECRET_NAMES if k in saved}
                found[secret.resource_name] = Release(UC_SECRET, secret.resource_name, UC_MISSING_ID, state)
            continue
        saved = previous.of(SECRET, secret.resource_name)
        if saved is not None and "scope" in saved and "key" in saved:
            state = {"scope": saved["scope"], "key": saved["key"]}
            provider_id = scoped_id(saved["scope"], saved["key"])
            found[secret.resource_name] = Release(SECRET, secret.resource_name, provider_id, state)
    return found


def refused_releases(plan: VaultPlan, previous: Previous) -> list[FieldError]:
    """A Key Vault secret the stack created, now external: refused, with the two steps.

    Its provider id is its ARM id, whose subscription comes from the azure-native provider's
    configuration, which the saved outputs do not hold; a read under any other id would
    delete the secret."""
    if plan.key_vault is None:
        return []
    errors = []
    for secret in plan.secrets:
        former = previous.of(KEY_VAULT_SECRET, secret.resource_name) if secret.external else None
        if former is not None:
            urn = previous.urn(KEY_VAULT_SECRET, secret.resource_name)
            message = KEY_VAULT_RELEASE_REFUSED.format(name=former.get("secretName", secret.key), urn=urn)
            errors.append(FieldError(f"providers[{secret.provider_index}].external", message))
    return errors
