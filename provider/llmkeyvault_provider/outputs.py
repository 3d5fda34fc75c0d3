"""The component's outputs, computed from a plan and the final scope names.

Pure, like the plan. No output carries key material, so none is secret.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def secret_reference(scope: str, key: str) -> str:
    """The Databricks secret reference understood by Spark config and Model Serving."""
    return "{{secrets/" + scope + "/" + key + "}}"


def render_outputs(plan: VaultPlan, final_names: Mapping[str, str]) -> dict[str, Any]:
    """All outputs by schema name; ``final_names`` maps planned to created scope names."""
    scope_names = {s.provider: final_names[s.scope] for s in plan.secrets}
    references = {s.provider: secret_reference(final_names[s.scope], s.key) for s in plan.secrets}
    grants = sorted(
        ({"scope": final_names[g.scope], "principal": g.principal, "permission": g.permission} for g in plan.grants),
        key=lambda g: (g["scope"], g["principal"], g["permission"]),
    )
    return {
        "scopeNames": scope_names,
        "scopes": sorted(final_names[s.name] for s in plan.scopes),
        "secretKeys": {s.provider: s.key for s in plan.secrets},
        "secretReferences": references,
        "environmentVariables": {s.env_var_name: references[s.provider] for s in plan.secrets},
        "grants": grants,
        "backend": plan.backend.value,
    }


def suffixed_names(plan: VaultPlan, suffix: str | None) -> dict[str, str]:
    """Planned scope name -> created scope name, with ``-<suffix>`` when there is one."""
    return {s.name: f"{s.name}-{suffix}" if suffix else s.name for s in plan.scopes}
