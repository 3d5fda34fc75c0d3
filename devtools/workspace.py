"""Reading the emulated workspace the way a test asserts on it."""

from __future__ import annotations

import hashlib
from typing import Any

#: the identity the emulator's plugins act as when the databricks provider's
#: configuration names none (no clientId, azureClientId or username); it gets
#: MANAGE on the scopes it creates and owns what it creates in Unity Catalog
DEPLOYER = "deployer@emulator.invalid"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def layout(dump: dict[str, Any]) -> dict[str, Any]:
    """Scopes with their keys and grants (the creator's own MANAGE left out), and vault secret names."""
    scopes = {
        name: {
            "backend": scope["backendType"],
            "keys": sorted(scope.get("secretKeys") or []),
            "grants": {
                p: level
                for p, level in (scope.get("acls") or {}).items()
                if not (p == scope.get("creator", DEPLOYER) and level == "MANAGE")
            },
        }
        for name, scope in (dump.get("scopes") or {}).items()
    }
    vaults = {name: sorted(vault.get("secretNames") or []) for name, vault in (dump.get("vaults") or {}).items()}
    return {"scopes": scopes, "vaults": {k: v for k, v in vaults.items() if v}}


def secret_digests(dump: dict[str, Any]) -> dict[str, str]:
    """``scope/key`` (or ``vault:name``) to the SHA-256 of the stored value."""
    found = {
        f"{scope}/{key}": entry["valueSha256"]
        for scope, keys in (dump.get("secrets") or {}).items()
        for key, entry in keys.items()
    }
    for vault, body in (dump.get("vaults") or {}).items():
        for name, entry in (body.get("secrets") or {}).items():
            found[f"vault:{vault}/{name}"] = entry["valueSha256"]
    return found


def uc_layout(dump: dict[str, Any]) -> dict[str, Any]:
    """Unity Catalog as a test asserts on it: schemas made by a stack (seeded ones left out unless
    they hold something), secrets per schema, and every grant per securable type and full name."""
    schemas = {
        name: sorted(body.get("secretNames") or [])
        for name, body in (dump.get("schemas") or {}).items()
        if not body.get("seeded") or body.get("secretNames")
    }
    grants = {
        kind: {full: {p: sorted(privs) for p, privs in by_principal.items()} for full, by_principal in on.items()}
        for kind, on in (dump.get("ucGrants") or {}).items()
        if on
    }
    return {"schemas": schemas, "grants": grants}


def uc_secret_digests(dump: dict[str, Any]) -> dict[str, str]:
    """``catalog.schema.name`` to the SHA-256 of the stored value."""
    return {full: entry["valueSha256"] for full, entry in (dump.get("ucSecrets") or {}).items()}


def changes_since(dump: dict[str, Any], seq: int) -> list[tuple[str, str, str]]:
    """The mutating calls logged after call number ``seq`` (0: all), as ``(kind, op, target)``
    sorted, e.g. ``("ucsecret", "update", "main.llm_keys.openai_api_key")`` or ``("grant",
    "create", "catalog/main/data-science")``. Failed calls are included, with op ``<op>!``."""
    return sorted(
        (e["kind"], e["op"] + ("!" if e.get("error") else ""), e["target"])
        for e in dump.get("log") or []
        if e["seq"] > seq
    )


def last_call(dump: dict[str, Any]) -> int:
    """The number of the last logged call: pass it to `changes_since` to see what comes after."""
    return max((e["seq"] for e in dump.get("log") or []), default=0)


def serving_references(dump: dict[str, Any]) -> dict[str, list[str]]:
    """Endpoint name (or model provider service full name) to the secret references it holds."""
    found = {name: list(e.get("secretReferences") or []) for name, e in (dump.get("servingEndpoints") or {}).items()}
    for full, svc in (dump.get("modelProviderServices") or {}).items():
        found[f"model-provider-services/{full}"] = list(svc.get("secretReferences") or [])
    return found


def soft_deleted(dump: dict[str, Any]) -> dict[str, list[str]]:
    """Vault (``<resource group>/<vault>``) to the names of its soft-deleted, unpurged secrets."""
    return {
        name: list(vault.get("deletedSecretNames") or [])
        for name, vault in (dump.get("vaults") or {}).items()
        if vault.get("deletedSecretNames")
    }


#: privileges a Unity Catalog vault's usage grants give; those grants are retained on delete
USAGE_PRIVILEGES = frozenset({"USE_CATALOG", "USE_SCHEMA"})


def without_usage_grants(dump: dict[str, Any]) -> dict[str, Any]:
    """The dump without USE_CATALOG and USE_SCHEMA on catalogs and schemas: what a destroy of a
    Unity Catalog vault leaves on purpose (its usage grants are retained on delete, since
    deleting a ``Grant`` revokes every privilege of its principal there)."""
    grants: dict[str, Any] = {}
    for kind, on in (dump.get("ucGrants") or {}).items():
        kept: dict[str, Any] = {}
        for full, by_principal in on.items():
            left = {
                p: [x for x in privs if kind not in ("catalog", "schema") or x not in USAGE_PRIVILEGES]
                for p, privs in by_principal.items()
            }
            if any(left.values()):
                kept[full] = {p: privs for p, privs in left.items() if privs}
        if kept:
            grants[kind] = kept
    return {**dump, "ucGrants": grants}


def is_empty(dump: dict[str, Any]) -> bool:
    """Nothing a stack made is left: no scope, secret, ACL, vault secret (soft-deleted ones are
    gone from the vault's listing, see `soft_deleted`), UC secret, grant, schema other than the
    seeded ones, serving endpoint or model provider service."""
    return (
        not dump.get("scopes")
        and not any((dump.get("secrets") or {}).values())
        and not any((dump.get("acls") or {}).values())
        and not any(v.get("secretNames") for v in (dump.get("vaults") or {}).values())
        and not dump.get("ucSecrets")
        and not any((dump.get("ucGrants") or {}).values())
        and all(s.get("seeded") for s in (dump.get("schemas") or {}).values())
        and not dump.get("servingEndpoints")
        and not dump.get("modelProviderServices")
    )
