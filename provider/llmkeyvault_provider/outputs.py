"""The component's outputs, computed from a plan and the final names.

Pure, like the plan. No output carries key material; outputs are secret only
when an input they derive from arrived secret (``component.py`` marks them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .plan import VaultPlan

#: schema output name -> Python attribute name
OUTPUT_ATTRIBUTES: dict[str, str] = {
    "scopeNames": "scope_names",
    "scopes": "scopes",
    "secretKeys": "secret_keys",
    "secretReferences": "secret_references",
    "environmentVariables": "environment_variables",
    "grants": "grants",
    "backend": "backend",
}


@dataclass(frozen=True)
class FinalNames:
    """Created names: planned scope name -> scope name, provider -> key name."""

    scopes: dict[str, str]
    keys: dict[str, str]


def secret_reference(scope: str, key: str) -> str:
    """The Databricks secret reference understood by Spark config and Model Serving."""
    return "{{secrets/" + scope + "/" + key + "}}"


def final_names(plan: VaultPlan, suffix: str | None) -> FinalNames:
    """The names with ``-<suffix>`` appended: to every scope, and to Key Vault secrets' names."""
    tail = f"-{suffix}" if suffix else ""
    key_tail = tail if plan.suffixes_keys else ""
    return FinalNames(
        scopes={s.name: s.name + tail for s in plan.scopes},
        keys={s.provider: s.key + key_tail for s in plan.secrets},
    )


def render_outputs(plan: VaultPlan, names: FinalNames) -> dict[str, Any]:
    """All outputs by schema name."""
    scope_names = {s.provider: names.scopes[s.scope] for s in plan.secrets}
    references = {s.provider: secret_reference(scope_names[s.provider], names.keys[s.provider]) for s in plan.secrets}
    grants = sorted(
        ({"scope": names.scopes[g.scope], "principal": g.principal, "permission": g.permission} for g in plan.grants),
        key=lambda g: (g["scope"], g["principal"], g["permission"]),
    )
    return {
        "scopeNames": scope_names,
        "scopes": sorted(names.scopes.values()),
        "secretKeys": dict(names.keys),
        "secretReferences": references,
        "environmentVariables": {s.env_var_name: references[s.provider] for s in plan.secrets},
        "grants": grants,
        "backend": plan.backend.value,
    }
