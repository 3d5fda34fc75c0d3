"""Reading the Unity Catalog schema that holds the secrets.

Pure, like the plan. The privileges each input grants are in ``levels.py``; the
name rules are in ``rules.py``.
"""

from __future__ import annotations

from . import rules
from .args import UnityCatalogBackingArgs
from .errors import Problems
from .plandata import UnityCatalogPlan


def plan_unity_catalog(backing: UnityCatalogBackingArgs, path: str, problems: Problems) -> UnityCatalogPlan | None:
    """Check the catalog and schema names (the reader has checked their types)."""
    ok = True
    for field, value in (("catalog", backing.catalog), ("schema", backing.schema)):
        field_path = f"{path}.{field}"
        if problems.has(field_path):
            ok = False
            continue
        # Catalog and schema names are often generated (digests): no prefix-less formats here.
        refused = rules.plain_value_problem(value, bare_tokens=False)
        if refused is not None:
            problems.add(field_path, refused.message, withhold_value=refused.withhold_value)
            ok = False
        elif (problem := rules.uc_object_name_problem(value)) is not None:
            problems.add(field_path, problem)
            ok = False
    if not ok:
        return None
    return UnityCatalogPlan(backing.catalog, backing.schema, backing.create_schema, backing.grant_usage)


def default_secret_name(provider_name: str) -> str:
    """``azure-openai`` -> ``azure_openai_api_key``: UC names read best without '-' (no quoting in SQL)."""
    return provider_name.replace("-", "_") + "_api_key"
