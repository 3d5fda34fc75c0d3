"""The component's outputs, computed from a plan and the final names.

Pure, like the plan. No output carries key material; outputs are secret only
when an input they derive from arrived secret (``component.py`` marks them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .args import Backend, schema_name
from .catalog import external_model
from .expiry import rfc3339
from .plandata import VaultPlan


@dataclass(frozen=True)
class VaultOutputs:
    """The outputs, one field each; the schema names are these in camelCase."""

    scope_names: dict[str, str]
    scopes: list[str]
    secret_keys: dict[str, str]
    secret_references: dict[str, str]
    environment_variables: dict[str, str]
    grants: list[dict[str, str]]
    backend: str
    secret_full_names: dict[str, str]
    expirations: dict[str, str]
    external_models: dict[str, dict[str, Any]]
    external_keys: list[str]


#: schema output name -> Python attribute name
OUTPUT_ATTRIBUTES: dict[str, str] = {schema_name(f.name): f.name for f in fields(VaultOutputs)}

#: beside the outputs in the component's state only (not an output of the resource): what
#: its inputs asked to grant, as [{principal, permission}], known before the names are (a
#: unique suffix), so that the policy pack can judge its children in a first preview
GRANTS_ASKED = "grantsAsked"


def grants_asked(plan: VaultPlan) -> list[dict[str, str]]:
    """Each (principal, permission) of the plan's grants once, whatever it is on."""
    pairs = sorted({(g.principal, g.permission) for g in plan.grants})
    return [{"principal": principal, "permission": permission} for principal, permission in pairs]


@dataclass(frozen=True)
class FinalNames:
    """Created names: planned scope name -> scope name, provider -> key (or UC secret) name."""

    scopes: dict[str, str]
    keys: dict[str, str]


def secret_reference(scope: str, key: str) -> str:
    """The Databricks secret reference understood by Spark config and Model Serving."""
    return "{{secrets/" + scope + "/" + key + "}}"


def final_names(plan: VaultPlan, suffix: str | None) -> FinalNames:
    """The names with the unique suffix: on every scope, and on Key Vault and UC secrets' names."""
    tail = f"-{suffix}" if suffix else ""
    key_tail = f"{plan.key_suffix_separator}{suffix}" if suffix and plan.suffixes_keys else ""
    return FinalNames(
        scopes={s.name: s.name + tail for s in plan.scopes},
        # An external key's name is the one its writer uses, exactly: it never takes the suffix.
        keys={s.provider: s.key if s.external else s.key + key_tail for s in plan.secrets},
    )


def render_outputs(plan: VaultPlan, names: FinalNames) -> dict[str, Any]:
    """All outputs by schema name."""
    uc = plan.unity_catalog
    expirations = {s.provider: rfc3339(s.expires_at) for s in plan.secrets if s.expires_at is not None}
    if plan.backend is Backend.UNITY_CATALOG and uc is not None:
        full_names = {s.provider: uc.full_name(names.keys[s.provider]) for s in plan.secrets}
        grants = [
            {"scope": "", "secret": full_names[g.provider], "principal": g.principal, "permission": g.permission}
            for g in plan.grants
        ]
        outputs = VaultOutputs(
            scope_names={},
            scopes=[],
            secret_keys=dict(names.keys),
            secret_references={},
            environment_variables={},
            grants=sorted(grants, key=lambda g: (g["secret"], g["principal"], g["permission"])),
            backend=plan.backend.value,
            secret_full_names=full_names,
            expirations=expirations,
            external_models={},
            external_keys=list(plan.external_keys),
        )
    else:
        scope_names = {s.provider: names.scopes[s.scope] for s in plan.secrets}
        references = {
            s.provider: secret_reference(scope_names[s.provider], names.keys[s.provider]) for s in plan.secrets
        }
        models = {p: m for p, ref in references.items() if (m := external_model(p, ref)) is not None}
        outputs = VaultOutputs(
            scope_names=scope_names,
            scopes=sorted(names.scopes[s.name] for s in plan.scopes),
            secret_keys=dict(names.keys),
            secret_references=references,
            environment_variables={s.env_var_name: references[s.provider] for s in plan.secrets},
            grants=sorted(
                (
                    {"scope": names.scopes[g.scope], "principal": g.principal, "permission": g.permission}
                    for g in plan.grants
                ),
                key=lambda g: (g["scope"], g["principal"], g["permission"]),
            ),
            backend=plan.backend.value,
            secret_full_names={},
            expirations=expirations,
            external_models=models,
            external_keys=list(plan.external_keys),
        )
    return {schema: getattr(outputs, attribute) for schema, attribute in OUTPUT_ATTRIBUTES.items()}
