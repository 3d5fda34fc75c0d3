"""Reading the Unity Catalog schema that holds the secrets, and its usage grants.

Pure, like the plan. Privilege strings are those of Databricks' "Secrets in
Unity Catalog" page (READ SECRET, WRITE SECRET, REFERENCE SECRET, MANAGE),
written as the Grants API takes them, with '_' for ' '.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import rules
from .args import UnityCatalogBackingArgs
from .errors import Problems

#: input field -> the privilege it grants on each secret
SECRET_PRIVILEGES: dict[str, str] = {
    "readers": "READ_SECRET",
    "writers": "WRITE_SECRET",
    "managers": "MANAGE",
    "referencers": "REFERENCE_SECRET",
}
USE_CATALOG = "USE_CATALOG"
USE_SCHEMA = "USE_SCHEMA"


@dataclass(frozen=True)
class UnityCatalogPlan:
    catalog: str
    schema: str
    create_schema: bool
    grant_usage: bool

    @property
    def schema_full_name(self) -> str:
        return f"{self.catalog}.{self.schema}"

    def full_name(self, secret: str) -> str:
        return f"{self.catalog}.{self.schema}.{secret}"


def plan_unity_catalog(backing: UnityCatalogBackingArgs, path: str, problems: Problems) -> UnityCatalogPlan | None:
    """Check the catalog and schema names (the reader has checked their types)."""
    ok = True
    for field, value in (("catalog", backing.catalog), ("schema", backing.schema)):
        field_path = f"{path}.{field}"
        if problems.has(field_path):
            ok = False
            continue
        # Catalog and schema names are often generated (digests): no prefix-less formats here.
        key_like = rules.key_material_problem(value, bare_tokens=False)
        if key_like is not None:
            problems.add(field_path, f"{key_like}; {rules.KEY_MATERIAL_ADVICE}", withhold_value=True)
            ok = False
        elif (hidden := rules.hidden_character_problem(value)) is not None:
            problems.add(field_path, hidden)
            ok = False
        elif not rules.UC_OBJECT_NAME.fullmatch(value):
            problems.add(
                field_path, f"{rules.quoted(value)} is not a Unity Catalog name: use {rules.UC_OBJECT_NAME_RULE}"
            )
            ok = False
    if not ok:
        return None
    return UnityCatalogPlan(backing.catalog, backing.schema, backing.create_schema, backing.grant_usage)


def default_secret_name(provider_name: str) -> str:
    """``azure-openai`` -> ``azure_openai_api_key``: UC names read best without '-' (no quoting in SQL)."""
    return provider_name.replace("-", "_") + "_api_key"


def secret_name_problem(name: str, suffix: int) -> str | None:
    """Why ``name`` (with ``suffix`` more characters) cannot name a UC secret here."""
    if not rules.UC_SECRET_NAME_CHARACTERS.fullmatch(name):
        return f"use {rules.UC_SECRET_NAME_RULE}"
    if len(name) + suffix > rules.UC_NAME_MAX_LENGTH:
        with_suffix = f" with {rules.SUFFIX_DESCRIPTION}" if suffix else ""
        return f"it is {len(name) + suffix} characters{with_suffix}; at most {rules.UC_NAME_MAX_LENGTH}"
    return None
