"""Registering the component's children by their type tokens.

The children are registered through Pulumi's generic resource API with the
type tokens and property names of pulumi-databricks, pulumi-random and
pulumi-azure-native, rather than through those typed SDKs: importing
``pulumi_databricks`` alone costs seconds and about 160 MB in every provider
start. ``tests/test_children_typed.py`` keeps these names honest against the
typed SDKs. Plugin versions are in ``plugins.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from . import rules
from .args import Backend
from .errors import FieldError, InvalidInput
from .keyvault import KeyVaultPlan
from .plan import GrantPlan, ScopePlan, SecretPlan
from .plugins import PLUGIN_VERSIONS

SECRET_SCOPE = "databricks:index/secretScope:SecretScope"
SECRET = "databricks:index/secret:Secret"
SECRET_ACL = "databricks:index/secretAcl:SecretAcl"
RANDOM_ID = "random:index/randomId:RandomId"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"


def _options(
    package: str, parent: pulumi.Resource, depends_on: Sequence[pulumi.Resource], **extra: Any
) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(
        parent=parent,
        version=PLUGIN_VERSIONS[package],
        depends_on=list(depends_on),
        **extra,
    )


def random_suffix(
    resource_name: str,
    byte_length: pulumi.Input[int],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource],
) -> pulumi.Output[str]:
    """Hex characters, fixed once created (no keepers, so no later replacement)."""
    random_id = pulumi.CustomResource(
        RANDOM_ID,
        resource_name,
        {"byteLength": byte_length, "hex": None},
        _options("random", parent, depends_on),
    )
    hex_value: pulumi.Output[str] = random_id.hex  # type: ignore[attr-defined]
    return hex_value


def secret_scope(
    plan: ScopePlan,
    scope_name: pulumi.Input[str],
    key_vault: KeyVaultPlan | None,
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource],
) -> pulumi.CustomResource:
    props: dict[str, Any] = {
        "name": scope_name,
        "backendType": "AZURE_KEYVAULT" if key_vault else "DATABRICKS",
        "initialManagePrincipal": plan.initial_manage_principal,
        "keyvaultMetadata": (
            {"resourceId": key_vault.resource_id, "dnsName": key_vault.dns_name} if key_vault else None
        ),
    }
    # Replacing a scope in place of one with the same name must delete it first:
    # create-before-delete fails with "Scope already exists".
    return pulumi.CustomResource(
        SECRET_SCOPE, plan.resource_name, props, _options("databricks", parent, depends_on, delete_before_replace=True)
    )


def checked_value(api_key: pulumi.Input[str], secret: SecretPlan, backend: Backend) -> pulumi.Output[str]:
    """The key as a secret Output, refused when empty or too large (never echoed).

    A key known when the component is built was checked by the plan already;
    this check is for a key that a Python program passes as an Output, whose
    value is known only later. ``component.py`` holds every child back until
    all such checks have passed.
    """
    limit = rules.MAX_VALUE_BYTES[backend.value]
    path = f"providers[{secret.provider_index}].apiKey"

    def check(value: object) -> str:
        if not isinstance(value, str):
            raise InvalidInput([FieldError(path, f"must be a string, not {type(value).__name__}")])
        if not value.strip():
            raise InvalidInput([FieldError(path, "must not be empty or blank")])
        size = len(value.encode("utf-8"))
        if size > limit:
            raise InvalidInput(
                [FieldError(path, f"is {size} bytes; the {backend.value} backend stores at most {limit}")]
            )
        return value

    return pulumi.Output.secret(api_key).apply(check)


def databricks_secret(
    plan: SecretPlan,
    scope_name: pulumi.Input[str],
    value: pulumi.Output[str],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource],
) -> pulumi.CustomResource:
    props = {"key": plan.key, "scope": scope_name, "stringValue": value, "configReference": None}
    # A new value replaces the Secret. Create-before-delete would write the new
    # value and then delete the same scope/key (pulumi-databricks issue 642), so
    # the old one is deleted first.
    return pulumi.CustomResource(
        SECRET,
        plan.resource_name,
        props,
        _options(
            "databricks",
            parent,
            depends_on,
            delete_before_replace=True,
            additional_secret_outputs=["stringValue"],
        ),
    )


def key_vault_secret(
    plan: SecretPlan,
    key_vault: KeyVaultPlan,
    secret_name: pulumi.Input[str],
    value: pulumi.Output[str],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource],
) -> pulumi.CustomResource:
    # A new value updates the vault secret in place (a new version); only a new
    # name or vault replaces it, and then the names differ.
    props = {
        "resourceGroupName": key_vault.resource_group,
        "vaultName": key_vault.vault_name,
        "secretName": secret_name,
        "properties": {"value": value},
    }
    return pulumi.CustomResource(
        KEY_VAULT_SECRET,
        plan.resource_name,
        props,
        _options("azure-native", parent, depends_on, additional_secret_outputs=["properties"]),
    )


def secret_acl(
    plan: GrantPlan,
    resource_name: str,
    scope_name: pulumi.Input[str],
    principal: pulumi.Input[str],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource],
) -> pulumi.CustomResource:
    props = {"scope": scope_name, "principal": principal, "permission": plan.permission}
    # Every field forces replacement and the ACL's identity is (scope, principal):
    # a new level created first would then be deleted with the old one.
    return pulumi.CustomResource(
        SECRET_ACL, resource_name, props, _options("databricks", parent, depends_on, delete_before_replace=True)
    )
