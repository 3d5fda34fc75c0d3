"""The plan's data: what the planner decides and the component registers, one class per child.

Pure data, no rules: ``plan.py`` (and ``keyvault.py``, ``unity.py`` for the backings)
fill it in; ``children.py`` and ``component.py`` read it. Each child's provider id,
by which an adoption imports it, is planned here with its names (an adoption never
has a unique suffix, so the names as planned are the names in the workspace).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import rules
from .args import Backend


def scoped_id(scope: str, name: str) -> str:
    """The provider id of a scope's secret (``name`` its key) or ACL (``name`` its principal)."""
    return f"{scope}|||{name}"


@dataclass(frozen=True)
class ScopePlan:
    """One secret scope. ``name`` is final unless the plan has a unique suffix."""

    name: str
    resource_name: str
    providers: tuple[str, ...]
    initial_manage_principal: str | None

    @property
    def import_id(self) -> str:
        """A scope's provider id is its name."""
        return self.name


@dataclass(frozen=True)
class SecretPlan:
    """One provider's key: a Databricks secret, or a Key Vault secret.

    ``key`` is final unless the plan has a unique suffix and a Key Vault backend,
    where the vault secret's name carries the suffix too.
    """

    provider: str
    provider_index: int
    scope: str
    key: str
    env_var_name: str
    resource_name: str
    expires_at: datetime | None = None
    #: the 0.2.0 resource name (by provider), given as an alias so an upgrade keeps the child
    former_resource_name: str | None = None
    #: the value is written outside Pulumi: no child holds it, and its name never takes the suffix
    external: bool = False
    #: the provider id by which an adoption imports it; None when no child holds it (external)
    import_id: str | None = None


@dataclass(frozen=True)
class GrantPlan:
    """One ACL on a scope, or one privilege on a UC secret (``provider`` names whose).

    ``resource_name`` is None when no resource of its own carries it: the scope's
    creation (MANAGE for ``users``), or the secret's one ``Grants`` resource.
    """

    scope: str
    principal: str
    permission: str
    resource_name: str | None
    provider: str = ""
    #: the 0.2.0 resource name (the principal as spelled), given as an alias
    former_resource_name: str | None = None
    #: created, never imported, and registered after everything an adoption imports: the
    #: deploying identity's own MANAGE (setting an ACL is an upsert, and it may not exist yet)
    after_imports: bool = False

    @property
    def import_id(self) -> str | None:
        """A scope ACL's provider id, by which an adoption imports it; None when it is created."""
        return None if self.after_imports else scoped_id(self.scope, self.principal)


@dataclass(frozen=True)
class UsagePlan:
    """``USE_CATALOG`` or ``USE_SCHEMA`` for one principal, so it can reach the secrets."""

    securable: str  # "catalog" or "schema": the Grant property that names it
    name: str
    principal: str
    privilege: str
    resource_name: str

    @property
    def import_id(self) -> str:
        return f"{self.securable}/{self.name}/{self.principal}"


@dataclass(frozen=True)
class SecretGrantsPlan:
    """Every privilege on one UC secret, by principal: the one ``Grants`` resource of a secret
    the component owns, or, for an external secret (``per_principal``), one ``Grant`` per
    principal, so the grants its owners made stay."""

    provider: str
    resource_name: str
    #: the 0.2.0 resource name (by provider), given as an alias
    former_resource_name: str
    #: (principal, its privileges), in the order of the plan's grants
    privileges: tuple[tuple[str, tuple[str, ...]], ...]
    import_id: str
    per_principal: bool = False

    def principal_resource_name(self, principal: str) -> str:
        """The name of one principal's ``Grant`` (``per_principal``): by its identity."""
        return f"{self.resource_name}/{rules.principal_identity(principal)}"


@dataclass(frozen=True)
class VaultPlan:
    """Everything the component registers, in registration order."""

    #: the component's resource name, which every child's name starts with
    name: str
    backend: Backend
    scopes: tuple[ScopePlan, ...]
    secrets: tuple[SecretPlan, ...]
    grants: tuple[GrantPlan, ...]
    key_vault: KeyVaultPlan | None
    suffix_resource_name: str | None
    unity_catalog: UnityCatalogPlan | None
    usage: tuple[UsagePlan, ...]
    rotation_warning_days: int
    adopt: bool
    #: resource name of the schema the component creates (``createSchema``)
    schema_resource_name: str | None
    #: ``deployerAcl`` on a backend with scopes
    deployer_acl: bool = False
    #: each UC secret's ``Grants``, by the order of ``secrets``
    secret_grants: tuple[SecretGrantsPlan, ...] = ()

    @property
    def external_keys(self) -> tuple[str, ...]:
        """Providers whose values live outside Pulumi, sorted."""
        return tuple(sorted(s.provider for s in self.secrets if s.external))

    @property
    def needs_deployer(self) -> bool:
        """Whether the plan depends on the deploying identity: scopes with ``deployerAcl``."""
        return bool(self.scopes) and self.deployer_acl

    @property
    def suffixes_keys(self) -> bool:
        """Whether the unique suffix also ends each key's name: Key Vault and UC secrets share a vault or schema."""
        return self.suffix_resource_name is not None and self.backend is not Backend.DATABRICKS

    @property
    def key_suffix_separator(self) -> str:
        return rules.UC_SUFFIX_SEPARATOR if self.backend is Backend.UNITY_CATALOG else "-"

    @property
    def acls(self) -> tuple[GrantPlan, ...]:
        """The scope ACLs that are resources of their own, in registration order: those an
        adoption imports, then those created after them."""
        own = [g for g in self.grants if g.resource_name is not None]
        return tuple(sorted(own, key=lambda g: g.after_imports))

    @property
    def workspace_users_manage(self) -> bool:
        """Whether every workspace user holds MANAGE (through ``initial_manage_principal``)."""
        return any(s.initial_manage_principal is not None for s in self.scopes)


@dataclass(frozen=True)
class KeyVaultPlan:
    """An existing vault, parsed from its ARM resource id."""

    resource_id: str
    resource_group: str
    vault_name: str
    dns_name: str


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
