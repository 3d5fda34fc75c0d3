"""The component's typed arguments, and the one reader that checks their types.

Arguments arrive in two shapes: the dataclasses below (Python programs that
use this package in process) and plain mappings with schema names (``apiKey``:
what the provider receives over gRPC, whatever language the program is in).
``read_args`` turns either into checked dataclasses and reports every problem
with its schema path. It never looks inside ``apiKey`` beyond asking
whether one was given.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import rules
from .errors import Problems


class Backend(str, enum.Enum):
    """Where the secret scope keeps its secrets (schema enum ``Backend``)."""

    DATABRICKS = "databricks"
    AZURE_KEY_VAULT = "azure-keyvault"
    UNITY_CATALOG = "unity-catalog"


@dataclass(frozen=True)
class ProviderKeyArgs:
    """One LLM provider's key (schema type ``ProviderKey``)."""

    name: str
    api_key: Any = None  # Input[str]; a secret, never inspected beyond presence; None when external
    secret_key: str | None = None
    env_var_name: str | None = None
    readers: Sequence[str] = ()
    expires_at: str | None = None
    #: the value is written outside Pulumi: no child holds it, ``api_key`` must be None
    external: bool = False

    def __repr__(self) -> str:  # keep key material out of reprs and tracebacks
        shown = "external" if self.external else "api_key=[secret]"
        return f"ProviderKeyArgs(name={self.name!r}, {shown})"


@dataclass(frozen=True)
class KeyVaultBackingArgs:
    """An existing Azure Key Vault that backs the scope (schema type ``KeyVaultBacking``)."""

    resource_id: str
    dns_name: str | None = None


@dataclass(frozen=True)
class UnityCatalogBackingArgs:
    """The catalog and schema of Unity Catalog secrets (schema type ``UnityCatalogBacking``)."""

    catalog: str
    schema: str
    create_schema: bool = False
    grant_usage: bool = True


@dataclass(frozen=True)
class LlmKeyVaultArgs:
    """Inputs of ``LlmKeyVault`` (schema resource ``llmkeyvault:index:LlmKeyVault``)."""

    providers: Sequence[ProviderKeyArgs]
    scope_name: str | None = None
    scope_per_provider: bool = False
    unique_suffix: bool = False
    readers: Sequence[str] = ()
    writers: Sequence[str] = ()
    managers: Sequence[str] = ()
    allow_workspace_users: bool = False
    backend: Backend = Backend.DATABRICKS
    key_vault: KeyVaultBackingArgs | None = None
    unity_catalog: UnityCatalogBackingArgs | None = None
    referencers: Sequence[str] = ()
    rotation_warning_days: int = 14
    adopt: bool = False
    workspace_users_acl: bool = False
    deployer_acl: bool = True


def schema_name(python_name: str) -> str:
    """``scope_per_provider`` -> ``scopePerProvider``: the schema spells every name in camelCase."""
    head, *rest = python_name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def schema_fields(cls: type) -> dict[str, str]:
    """Schema name -> Python attribute name for a dataclass, from its fields: each name is written once."""
    return {schema_name(f.name): f.name for f in dataclasses.fields(cls)}


VAULT_FIELDS = schema_fields(LlmKeyVaultArgs)
PROVIDER_KEY_FIELDS = schema_fields(ProviderKeyArgs)
KEY_VAULT_FIELDS = schema_fields(KeyVaultBackingArgs)
UNITY_CATALOG_FIELDS = schema_fields(UnityCatalogBackingArgs)


def _fields_of(value: Any, fields: dict[str, str], path: str, problems: Problems) -> dict[str, Any] | None:
    """Read an object given as a dataclass or a mapping into ``{schema name: value}``."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key not in fields:
                shown = _field_name_shown(str(key))
                hint = f" (schema names are camelCase: '{schema_name(key)}')" if schema_name(str(key)) in fields else ""
                problems.add(
                    f"{path}.{shown}" if path else shown,
                    "unknown field" + hint + "; valid fields are " + ", ".join(sorted(fields)),
                )
                continue
            out[key] = item
        return out
    attrs = {schema: py for schema, py in fields.items() if hasattr(value, py)}
    if len(attrs) < len(fields):
        return None
    return {schema: getattr(value, py) for schema, py in attrs.items()}


def _field_name_shown(name: str) -> str:
    """An unknown field's name as its path shows it: never key material, never long."""
    if rules.key_material_problem(name) is not None:
        return "(a key-like name)"
    if len(name) > rules.SHOWN_MAX_LENGTH:
        return f"(a name of {len(name)} characters)"
    return name


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _is_output(value: Any) -> bool:
    # Imported lazily: the planning layer must not need Pulumi loaded.
    import pulumi

    return isinstance(value, pulumi.Output)


def _plain(value: Any, path: str, problems: Problems) -> bool:
    if _is_output(value):
        problems.add(
            path,
            "must be a plain value known when the program runs, not an Output: "
            "names and principals decide which resources exist",
        )
        return False
    return True


def _known(value: Any, path: str, problems: Problems, kind: type, wanted: str) -> bool:
    """Whether ``value`` is a plain ``kind``; otherwise records why not (``wanted`` names the kind)."""
    if not _plain(value, path, problems):
        return False
    if not isinstance(value, kind):
        problems.add(path, f"must be {wanted}, not {type(value).__name__}")
        return False
    return True


def _string(value: Any, path: str, problems: Problems, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            problems.add(path, "is required")
        return None
    if not _known(value, path, problems, str, "a string"):
        return None
    if len(value) > rules.MAX_FIELD_LENGTH:
        # Refused before any other check reads it, and never shown: the engine would print it.
        problems.add(
            path,
            f"is {len(value)} characters; no LlmKeyVault input but apiKey is longer than {rules.MAX_FIELD_LENGTH}",
            withhold_value=True,
        )
        return None
    checked: str = value
    return checked


def _boolean(value: Any, path: str, problems: Problems, *, default: bool = False) -> bool:
    if value is None:
        return default
    return value if _known(value, path, problems, bool, "true or false") else default


def _strings(value: Any, path: str, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not _plain(value, path, problems):
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        problems.add(path, f"must be a list of principal names, not {type(value).__name__}")
        return ()
    if len(value) > rules.MAX_PRINCIPALS_PER_LIST:
        # Refused before its items are read: one error, not one per item.
        problems.add(
            path, f"lists {len(value)} principals; at most {rules.MAX_PRINCIPALS_PER_LIST} (use a group instead)"
        )
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        checked = _string(item, f"{path}[{i}]", problems, required=True)
        # A refused item keeps its place, so that the items after it keep their paths; the
        # planner skips it (it is refused), and a refused input is never planned.
        out.append(checked if checked is not None else f"(refused {path}[{i}])")
    return tuple(out)


def _backend(value: Any, path: str, problems: Problems) -> Backend:
    if value is None:
        return Backend.DATABRICKS
    if not _plain(value, path, problems):
        return Backend.DATABRICKS
    try:
        return Backend(value)
    except ValueError:
        valid = ", ".join(f"'{b.value}'" for b in Backend)
        shown = rules.quoted(value) if isinstance(value, str) and len(value) <= 40 else type(value).__name__
        problems.add(path, f"{shown} is not a backend; valid backends are {valid}")
        return Backend.DATABRICKS


def _api_key(value: Any, path: str, problems: Problems, *, external: bool) -> Any:
    # The value itself is never formatted: only its presence, type and blankness.
    if external:
        if value is not None:
            problems.add(
                path,
                "must not be given with external: true (the value is written outside Pulumi and never "
                "held here); remove apiKey, or set external to false to manage the value",
                withhold_value=True,
            )
        return None
    if value is None:
        problems.add(path, "is required (the provider's API key, passed as a secret), unless external is true")
        return None
    if isinstance(value, str) or _is_output(value) or hasattr(value, "__await__"):
        return value  # its text is checked by the planner (rules.api_key_problem)
    problems.add(path, f"must be a string or an Output of a string, not {type(value).__name__}")
    return None


#: what stands in for a provider that could not be read, so later indexes keep their paths
UNREADABLE_PROVIDER = ProviderKeyArgs(name="", api_key=None)


def _provider_key(value: Any, path: str, problems: Problems) -> ProviderKeyArgs:
    """The provider at ``path``; a field refused here is left out (``problems`` names it)."""
    if not _plain(value, path, problems):
        return UNREADABLE_PROVIDER
    fields = _fields_of(value, PROVIDER_KEY_FIELDS, path, problems)
    if fields is None:
        problems.add(path, f"must be a ProviderKey object, not {type(value).__name__}")
        return UNREADABLE_PROVIDER
    given = _Given(fields, ProviderKeyArgs, path, problems)
    external = given.boolean("external")
    return ProviderKeyArgs(
        name=given.string("name", required=True) or "",
        api_key=_api_key(fields.get("apiKey"), _join(path, "apiKey"), problems, external=external),
        secret_key=given.string("secretKey"),
        env_var_name=given.string("envVarName"),
        readers=given.strings("readers"),
        expires_at=given.string("expiresAt"),
        external=external,
    )


def _object(value: Any, fields: dict[str, str], type_name: str, path: str, problems: Problems) -> dict[str, Any] | None:
    """An optional object input as ``{schema name: value}``; None when absent or refused."""
    if value is None or not _plain(value, path, problems):
        return None
    found = _fields_of(value, fields, path, problems)
    if found is None:
        problems.add(path, f"must be a {type_name} object, not {type(value).__name__}")
    return found


def _key_vault(value: Any, path: str, problems: Problems) -> KeyVaultBackingArgs | None:
    fields = _object(value, KEY_VAULT_FIELDS, "KeyVaultBacking", path, problems)
    if fields is None:
        return None
    given = _Given(fields, KeyVaultBackingArgs, path, problems)
    resource_id = given.string("resourceId", required=True)
    dns_name = given.string("dnsName")
    if resource_id is None:
        return None
    return KeyVaultBackingArgs(resource_id, dns_name)


def _unity_catalog(value: Any, path: str, problems: Problems) -> UnityCatalogBackingArgs | None:
    fields = _object(value, UNITY_CATALOG_FIELDS, "UnityCatalogBacking", path, problems)
    if fields is None:
        return None
    given = _Given(fields, UnityCatalogBackingArgs, path, problems)
    return UnityCatalogBackingArgs(
        catalog=given.string("catalog", required=True) or "",
        schema=given.string("schema", required=True) or "",
        create_schema=given.boolean("createSchema"),
        grant_usage=given.boolean("grantUsage"),
    )


@dataclass(frozen=True)
class _Given:
    """The fields given for one object of dataclass ``cls`` at ``path``, read by schema name.

    An absent or refused field takes the dataclass field's default: each default is written once.
    """

    fields: Mapping[str, Any]
    cls: type
    path: str
    problems: Problems

    def _at(self, name: str) -> str:
        return _join(self.path, name)

    def _default(self, name: str) -> Any:
        return next(f.default for f in dataclasses.fields(self.cls) if schema_name(f.name) == name)

    def string(self, name: str, *, required: bool = False) -> str | None:
        return _string(self.fields.get(name), self._at(name), self.problems, required=required)

    def boolean(self, name: str) -> bool:
        default: bool = self._default(name)
        return _boolean(self.fields.get(name), self._at(name), self.problems, default=default)

    def strings(self, name: str) -> tuple[str, ...]:
        return _strings(self.fields.get(name), self._at(name), self.problems)

    def integer(self, name: str) -> int:
        default: int = self._default(name)
        return _integer(self.fields.get(name), self._at(name), self.problems, default)


def _integer(value: Any, path: str, problems: Problems, default: int) -> int:
    if value is None or not _plain(value, path, problems):
        return default
    # The engine sends numbers as floats; a whole float is an integer.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(path, f"must be a whole number, not {type(value).__name__}")
        return default
    return value


def read_args(value: Any, problems: Problems) -> LlmKeyVaultArgs:
    """Check the types of every input and return them as dataclasses.

    Records each bad field in ``problems`` and goes on, leaving each refused
    field at its default (a provider that cannot be read stays in its place as
    ``UNREADABLE_PROVIDER``), so that the planner can check everything else in
    the same pass. Rules that relate fields to each other (names, grants,
    backends) are the planner's, not this reader's.
    """
    fields = _fields_of(value, VAULT_FIELDS, "", problems)
    if fields is None:
        problems.add("", f"LlmKeyVault arguments must be LlmKeyVaultArgs or a mapping, not {type(value).__name__}")
        return LlmKeyVaultArgs(providers=())
    providers_raw = fields.get("providers")
    providers: list[ProviderKeyArgs] = []
    if providers_raw is None:
        problems.add("providers", "is required: give at least one provider key")
    elif _plain(providers_raw, "providers", problems):
        if isinstance(providers_raw, (str, Mapping)) or not isinstance(providers_raw, Sequence):
            problems.add("providers", f"must be a list of ProviderKey objects, not {type(providers_raw).__name__}")
        elif not providers_raw:
            problems.add("providers", "must hold at least one provider key")
        else:
            providers = [_provider_key(item, f"providers[{i}]", problems) for i, item in enumerate(providers_raw)]
    given = _Given(fields, LlmKeyVaultArgs, "", problems)
    return LlmKeyVaultArgs(
        providers=tuple(providers),
        scope_name=given.string("scopeName"),
        scope_per_provider=given.boolean("scopePerProvider"),
        unique_suffix=given.boolean("uniqueSuffix"),
        readers=given.strings("readers"),
        writers=given.strings("writers"),
        managers=given.strings("managers"),
        allow_workspace_users=given.boolean("allowWorkspaceUsers"),
        backend=_backend(fields.get("backend"), "backend", problems),
        key_vault=_key_vault(fields.get("keyVault"), "keyVault", problems),
        unity_catalog=_unity_catalog(fields.get("unityCatalog"), "unityCatalog", problems),
        referencers=given.strings("referencers"),
        rotation_warning_days=given.integer("rotationWarningDays"),
        adopt=given.boolean("adopt"),
        workspace_users_acl=given.boolean("workspaceUsersAcl"),
        deployer_acl=given.boolean("deployerAcl"),
    )
