"""Registering the component's children by their type tokens.

The children are registered through Pulumi's generic resource API with the
type tokens and property names of pulumi-databricks, pulumi-random and
pulumi-azure-native, rather than through those typed SDKs: importing
``pulumi_databricks`` alone costs seconds and about 160 MB in every provider
start. ``tests/test_children_typed.py`` keeps these names honest against the
typed SDKs. Plugin versions are in ``plugins.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi

from . import rules
from .args import Backend
from .errors import FieldError, InvalidInput
from .expiry import rfc3339, unix_seconds
from .plandata import GrantPlan, KeyVaultPlan, ScopePlan, SecretGrantsPlan, SecretPlan, UnityCatalogPlan, UsagePlan
from .plugins import PLUGIN_VERSIONS

SECRET_SCOPE = "databricks:index/secretScope:SecretScope"
SECRET = "databricks:index/secret:Secret"
SECRET_ACL = "databricks:index/secretAcl:SecretAcl"
RANDOM_ID = "random:index/randomId:RandomId"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"
UC_SECRET = "databricks:index/secretUc:SecretUc"
UC_GRANTS = "databricks:index/grants:Grants"
UC_GRANT = "databricks:index/grant:Grant"
UC_SCHEMA = "databricks:index/schema:Schema"
#: the provider id of every SecretUc: the bridge's id of a resource without an id attribute
#: (pulumi-terraform-bridge MissingIDComputeID; pulumi-databricks bridge-metadata
#: ``"computeID": {"kind": "missing"}`` for databricks_secret_uc)
UC_MISSING_ID = "missing ID"


@dataclass(frozen=True)
class Placement:
    """Where children go: under the component, after what it waits for, and adopted or created."""

    parent: pulumi.Resource
    depends_on: tuple[pulumi.Resource, ...] = ()
    #: register each child with Pulumi's ``import`` option and its provider id
    adopt: bool = False
    #: the provider id of the one child placed here, used when adopting
    import_id: str | None = None
    #: every child retained on delete: the component was given Pulumi's ``retainOnDelete``
    retained: bool = False

    def after(self, *resources: pulumi.Resource) -> Placement:
        return replace(self, depends_on=(*self.depends_on, *resources))

    def adopting(self, import_id: str | None) -> Placement:
        """This placement for one child whose provider id (when adopting) is ``import_id``."""
        return replace(self, import_id=import_id)

    def after_imports(self, imported: Sequence[pulumi.Resource]) -> Placement:
        """For a child created beside an adoption: after everything it imports, so that an
        adoption that fails leaves nothing created behind. Unchanged when not adopting."""
        return self.after(*imported) if self.adopt else self

    def options(self, package: str, **extra: Any) -> pulumi.ResourceOptions:
        if self.retained:
            extra["retain_on_delete"] = True
        return pulumi.ResourceOptions(
            parent=self.parent,
            version=PLUGIN_VERSIONS[package],
            depends_on=list(self.depends_on),
            import_=self.import_id if self.adopt else None,
            **extra,
        )


def former_names(own: str, *names: str | None) -> dict[str, Any]:
    """Resource options that carry a child over from the names it had in 0.2.0.

    0.2.0 named children after the provider, or the principal as spelled; they are now
    named by what they are in the workspace (``plan.py``). The old names are aliases, so
    a stack deployed with 0.2.0 keeps every child on upgrade."""
    return {"aliases": [pulumi.Alias(name=n) for n in dict.fromkeys(names) if n is not None and n != own]}


def random_suffix(resource_name: str, byte_length: pulumi.Input[int], at: Placement) -> pulumi.Output[str]:
    """Hex characters, fixed once created (no keepers, so no later replacement)."""
    random_id = pulumi.CustomResource(
        RANDOM_ID,
        resource_name,
        {"byteLength": byte_length, "hex": None},
        at.options("random"),
    )
    hex_value: pulumi.Output[str] = random_id.hex  # type: ignore[attr-defined]
    return hex_value


def kept_spelling(former: object, name: str) -> str:
    """The spelling the stack created ``name`` with, where the two differ in letter case alone.

    Databricks scope names and Azure resource group and vault names ignore case
    (``emulator/README.md``): a new spelling names the same object, and replacing the child
    would delete that object after (or before) creating it. Keeping the created spelling keeps
    the child as it is; a real rename differs in more than case and replaces it as before."""
    if isinstance(former, str) and former != name and former.lower() == name.lower():
        return former
    return name


def secret_scope(
    plan: ScopePlan,
    scope_name: pulumi.Input[str],
    key_vault: KeyVaultPlan | None,
    at: Placement,
    former: Mapping[str, Any] | None = None,
) -> pulumi.CustomResource:
    """One scope; ``former`` is what the stack's saved state holds for it (``lookups.previous_state``)."""
    former = former or {}
    metadata: dict[str, Any] | None = None
    if key_vault is not None:
        former_metadata = former.get("keyvaultMetadata")
        if not isinstance(former_metadata, Mapping):
            former_metadata = {}
        metadata = {
            "resourceId": kept_spelling(former_metadata.get("resourceId"), key_vault.resource_id),
            "dnsName": kept_spelling(former_metadata.get("dnsName"), key_vault.dns_name),
        }
    former_name = former.get("name")
    props: dict[str, Any] = {
        "name": pulumi.Output.from_input(scope_name).apply(lambda name: kept_spelling(former_name, name)),
        "backendType": "AZURE_KEYVAULT" if key_vault else "DATABRICKS",
        "initialManagePrincipal": plan.initial_manage_principal,
        "keyvaultMetadata": metadata,
    }
    # Replacing a scope in place of one with the same name must delete it first:
    # create-before-delete fails with "Scope already exists".
    # initialManagePrincipal counts only when the scope is created: a later change would
    # replace the scope (every key deleted, external ones lost for good), so it is ignored,
    # and MANAGE for 'users' is an ACL of its own as well (``plan.py``).
    return pulumi.CustomResource(
        SECRET_SCOPE,
        plan.resource_name,
        props,
        at.options(
            "databricks",
            delete_before_replace=True,
            ignore_changes=["initialManagePrincipal"],
            **adopted_retained(at),
        ),
    )


def adopted_retained(at: Placement) -> dict[str, Any]:
    """An adopted scope (or schema) is left in place on delete: it existed before the stack,
    and may hold keys the program never named (or another stack's). ``component.py`` says so."""
    return {"retain_on_delete": True} if at.adopt else {}


def checked_value(api_key: pulumi.Input[str], secret: SecretPlan, backend: Backend) -> pulumi.Output[str]:
    """The key as a secret Output, refused when empty or too large (never echoed).

    A key known when the component is built was checked by the plan already;
    this check is for a key that a Python program passes as an Output, whose
    value is known only later. ``component.py`` holds every child back until
    all such checks have passed.
    """
    path = f"providers[{secret.provider_index}].apiKey"

    def check(value: object) -> str:
        problem = rules.api_key_problem(value, backend.value)
        if problem is not None:
            raise InvalidInput([FieldError(path, problem)])
        assert isinstance(value, str)
        return value

    return pulumi.Output.secret(api_key).apply(check)


def databricks_secret(
    plan: SecretPlan, scope_name: pulumi.Input[str], value: pulumi.Output[str], at: Placement
) -> pulumi.CustomResource:
    # Named by scope and key (``plan.py``): a key that stays is the same child whichever provider holds it.
    props = {"key": plan.key, "scope": scope_name, "stringValue": value, "configReference": None}
    # pulumi-databricks 1.118.0 writes a new value over the secret in place. Where a
    # change replaces the Secret (a new key or scope, or an older provider on which
    # a new value does too), create-before-delete would write the new secret and then
    # delete the same scope/key (pulumi-databricks issue 642), so the old one is
    # deleted first.
    return pulumi.CustomResource(
        SECRET,
        plan.resource_name,
        props,
        at.options(
            "databricks",
            delete_before_replace=True,
            additional_secret_outputs=["stringValue"],
            **former_names(plan.resource_name, plan.former_resource_name),
        ),
    )


def key_vault_secret(
    plan: SecretPlan,
    key_vault: KeyVaultPlan,
    secret_name: pulumi.Input[str],
    value: pulumi.Output[str],
    at: Placement,
    former: Mapping[str, Any] | None = None,
) -> pulumi.CustomResource:
    # A new value updates the vault secret in place (a new version); only a new
    # name or vault replaces it, and then the names differ. Expiry is Unix seconds.
    properties: dict[str, Any] = {"value": value}
    if plan.expires_at is not None:
        properties["attributes"] = {"expires": unix_seconds(plan.expires_at)}
    props = {
        "resourceGroupName": kept_spelling((former or {}).get("resourceGroupName"), key_vault.resource_group),
        "vaultName": kept_spelling((former or {}).get("vaultName"), key_vault.vault_name),
        "secretName": secret_name,
        "properties": properties,
    }
    return pulumi.CustomResource(
        KEY_VAULT_SECRET,
        plan.resource_name,
        props,
        at.options(
            "azure-native",
            additional_secret_outputs=["properties"],
            # Key Vault names ignore case: a new spelling is the same secret, and replacing it
            # would write it, then delete it (soft delete). The child is named without case.
            ignore_changes=["secretName"],
            **former_names(plan.resource_name, plan.former_resource_name),
        ),
    )


def secret_acl(
    plan: GrantPlan,
    resource_name: str,
    scope_name: pulumi.Input[str],
    principal: pulumi.Input[str],
    at: Placement,
    former: str | None = None,
) -> pulumi.CustomResource:
    props = {"scope": scope_name, "principal": principal, "permission": plan.permission}
    # Every field forces replacement and the ACL's identity is (scope, principal):
    # a new level created first would then be deleted with the old one.
    # The deploying identity's own MANAGE is retained on delete: it is named after whoever
    # ran the last update, so an update by someone else (an admin's hotfix) would otherwise
    # revoke the earlier deployer's MANAGE and lock a non-admin CI principal out of its
    # scopes. A later deployer adds its own; an earlier one keeps MANAGE until removed by hand.
    retain = {"retain_on_delete": True} if plan.after_imports else {}
    return _deleted_before_replaced(SECRET_ACL, resource_name, props, at, former, **retain)


def _deleted_before_replaced(
    type_token: str, resource_name: str, props: Mapping[str, Any], at: Placement, former: str | None, **extra: Any
) -> pulumi.CustomResource:
    """A databricks child that is deleted before it is replaced, carried over from its 0.2.0 name."""
    return pulumi.CustomResource(
        type_token,
        resource_name,
        props,
        at.options("databricks", delete_before_replace=True, **former_names(resource_name, former), **extra),
    )


def uc_schema(
    resource_name: str, uc: UnityCatalogPlan, schema_name: pulumi.Input[str], comment: str, at: Placement
) -> pulumi.CustomResource:
    # No forceDestroy: a schema that still holds secrets is not deleted with the component.
    props = {"catalogName": uc.catalog, "name": schema_name, "comment": comment}
    return pulumi.CustomResource(
        UC_SCHEMA,
        resource_name,
        props,
        at.options("databricks", **adopted_retained(at)),
    )


def uc_secret(
    plan: SecretPlan,
    uc: UnityCatalogPlan,
    secret_name: pulumi.Input[str],
    value: pulumi.Output[str],
    comment: str,
    at: Placement,
) -> pulumi.CustomResource:
    """One Unity Catalog secret. A new value updates it in place (UpdateSecret); no gap.

    ``owner`` is left to the deployer: only the owner (or a metastore admin) may
    update the value, so handing it to someone else would stop later rotations.
    """
    props: dict[str, Any] = {
        "catalogName": uc.catalog,
        "schemaName": uc.schema,
        "name": secret_name,
        "value": value,
        "comment": comment,
        "expireTime": rfc3339(plan.expires_at) if plan.expires_at is not None else None,
    }
    return pulumi.CustomResource(
        UC_SECRET,
        plan.resource_name,
        props,
        at.options(
            "databricks",
            additional_secret_outputs=["value", "effectiveValue"],
            # UC folds names to lower case: a new spelling is the same secret (named without case).
            ignore_changes=["name"],
            **former_names(plan.resource_name, plan.former_resource_name),
        ),
    )


def uc_secret_grants(
    plan: SecretGrantsPlan, full_name: pulumi.Input[str], at: Placement, *, secret_principals: bool = False
) -> pulumi.CustomResource:
    """Every grant on one secret, authoritatively: the component owns the secret.

    Delete before replace: a new spelling of the secret's name is the same secret (UC folds
    names), and deleting ``Grants`` removes every grant on it, those just made included."""
    grants = [{"principal": p, "privileges": list(privs)} for p, privs in plan.privileges]
    props = {"secret": full_name, "grants": pulumi.Output.secret(grants) if secret_principals else grants}
    return _deleted_before_replaced(UC_GRANTS, plan.resource_name, props, at, plan.former_resource_name)


def uc_secret_grant(
    resource_name: str,
    full_name: pulumi.Input[str],
    principal: pulumi.Input[str],
    privileges: Sequence[str],
    at: Placement,
) -> pulumi.CustomResource:
    """One principal's privileges on an external UC secret (``Grant``, never ``Grants``).

    The secret is not the component's: ``Grants`` would remove every grant it does not
    list, those its owners made included (a rotators group's MANAGE). ``Grant`` sets the
    privileges of its principal alone. Delete before replace, as ``usage_grant`` says why."""
    props = {"secret": full_name, "principal": principal, "privileges": list(privileges)}
    return pulumi.CustomResource(UC_GRANT, resource_name, props, at.options("databricks", delete_before_replace=True))


def usage_grant(
    plan: UsagePlan,
    resource_name: str,
    principal: pulumi.Input[str],
    at: Placement,
    privileges: Sequence[str] = (),
) -> pulumi.CustomResource:
    """One principal's USE_CATALOG or USE_SCHEMA (``Grant``: that principal only, never ``Grants``).

    Delete before replace: deleting a ``Grant`` revokes every privilege of its principal on the
    securable (terraform-provider-databricks ``catalog/resource_grant.go``), so with the default
    create-before-delete a new spelling of the principal would be granted, then revoked.

    Retained on delete: that revocation would take away what the principal held on the
    catalog or schema besides this privilege (other workloads' access), so a destroy, or a
    principal that is no longer listed, leaves the principal's privileges as they are.

    ``privileges`` is what the principal already holds there plus ``plan.privilege``
    (``usage.py``): the Grant sets that whole list, so it removes nothing."""
    props = {plan.securable: plan.name, "principal": principal, "privileges": list(privileges) or [plan.privilege]}
    options = at.options("databricks", delete_before_replace=True, retain_on_delete=True)
    return pulumi.CustomResource(UC_GRANT, resource_name, props, options)


def released_secret(
    type_token: str, resource_name: str, provider_id: str, state: Mapping[str, Any], at: Placement
) -> pulumi.CustomResource:
    """A secret the stack created, now external: read at the child's own name and provider id.

    The engine takes a read with the id of the managed resource it replaces as letting go of
    it (pulumi ``resource/deploy/step_generator.go``, GenerateReadSteps: "relinquish"): the
    secret leaves the stack's management and is not deleted, so its value stays. Read
    resources are never deleted, by a later update or by ``pulumi destroy``."""
    package = type_token.split(":", 1)[0]
    return pulumi.CustomResource(
        type_token, resource_name, dict(state), at.adopting(None).options(package, id=provider_id)
    )
