"""Reading the emulated workspace the way a test asserts on it."""

from __future__ import annotations

import hashlib
from typing import Any

#: the emulator's stand-in for the identity that deploys; it gets MANAGE on the
#: scopes it creates, as the caller does on a real workspace
DEPLOYER = "deployer@emulator.invalid"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def layout(dump: dict[str, Any]) -> dict[str, Any]:
    """Scopes with their keys and grants (the deployer's own MANAGE left out), and vault secret names."""
    scopes = {
        name: {
            "backend": scope["backendType"],
            "keys": sorted(scope.get("secretKeys") or []),
            "grants": {p: level for p, level in (scope.get("acls") or {}).items() if p != DEPLOYER},
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


def is_empty(dump: dict[str, Any]) -> bool:
    return (
        not dump.get("scopes")
        and not any((dump.get("secrets") or {}).values())
        and not any((dump.get("acls") or {}).values())
        and not any(v.get("secretNames") for v in (dump.get("vaults") or {}).values())
    )
