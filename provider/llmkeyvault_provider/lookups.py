"""What the component reads from the workspace while planning, with pulumi-databricks' data sources.

Two facts decide what the component registers and cannot be known from its
inputs: who deploys (``deployerAcl`` keeps that identity at MANAGE) and
whether each external Unity Catalog secret exists (a grant on a missing one
would fail half-way through an update). Both are read through the engine with
the databricks provider the component's children use, before anything is
registered. Neither call returns key material: ``getSecretUc`` sends no
``include_value`` (terraform-provider-databricks
``internal/providers/pluginfw/products/secret_uc/data_secret_uc.go``), so only
the secret's metadata comes back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from .errors import Problems
from .plandata import VaultPlan
from .plugins import PLUGIN_VERSIONS

#: pulumi-databricks 1.118.0 ``get_current_user.py`` and ``get_secret_uc.py``
CURRENT_USER = "databricks:index/getCurrentUser:getCurrentUser"
SECRET_UC = "databricks:index/getSecretUc:getSecretUc"

#: error codes with which a missing object comes back (Databricks REST API error codes)
NOT_FOUND_CODES = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND", "DOES_NOT_EXIST")


def _databricks_provider(opts: pulumi.ResourceOptions | None) -> pulumi.ProviderResource | None:
    """The explicit databricks provider the component's children would use, if one was given."""
    if opts is None:
        return None
    providers: Any = opts.providers
    if isinstance(providers, Mapping):
        found = providers.get("databricks")
        if isinstance(found, pulumi.ProviderResource):
            return found
    elif providers:
        for candidate in providers:
            if isinstance(candidate, pulumi.ProviderResource) and candidate.package == "databricks":
                return candidate
    if isinstance(opts.provider, pulumi.ProviderResource) and opts.provider.package == "databricks":
        return opts.provider
    return None


def invoke_options(opts: pulumi.ResourceOptions | None) -> pulumi.InvokeOptions:
    """Invoke where the children would be registered: the same provider, or the parent's."""
    return pulumi.InvokeOptions(
        parent=opts.parent if opts is not None else None,
        provider=_databricks_provider(opts),
        version=PLUGIN_VERSIONS["databricks"],
    )


def deploying_identity(opts: pulumi.ResourceOptions | None) -> str | None:
    """The principal an ACL names for the deployer: its user name (a service principal's application id).

    terraform-provider-databricks compares ``userName`` from SCIM ``Me`` with an ACL's
    principal when it keeps the deployer's own MANAGE (``secrets/resource_secret_acl.go``);
    for a service principal that user name is its application id. None when the data
    source names nobody (Pulumi's unit-test mocks answer every invoke with nothing).
    """
    result = pulumi.runtime.invoke(CURRENT_USER, {}, invoke_options(opts)).value
    user = result.get("userName") if isinstance(result, Mapping) else None
    return user if isinstance(user, str) and user.strip() else None


def _is_missing(error: Exception) -> bool:
    text = str(error)
    return any(code in text for code in NOT_FOUND_CODES) or "does not exist" in text


def create_command(full_name: str) -> str:
    """How a security team creates a UC secret, value from a file (never on the command line)."""
    catalog, schema, name = full_name.split(".", 2)
    body = f'{{"name": "{name}", "catalog_name": "{catalog}", "schema_name": "{schema}", "value": "<the key>"}}'
    return f"databricks secrets-uc create-secret --json @secret.json (secret.json: {body})"


def missing_uc_secrets(plan: VaultPlan, opts: pulumi.ResourceOptions | None) -> Problems:
    """A problem at ``providers[i].external`` for each external UC secret that does not exist."""
    problems = Problems()
    uc = plan.unity_catalog
    if uc is None:
        return problems
    for secret in plan.secrets:
        if not secret.external:
            continue
        full_name = uc.full_name(secret.key)
        path = f"providers[{secret.provider_index}].external"
        try:
            pulumi.runtime.invoke(SECRET_UC, {"fullName": full_name}, invoke_options(opts))
        except Exception as error:
            if not _is_missing(error):
                problems.add(path, f"Unity Catalog secret '{full_name}' could not be read: {error}")
                continue
            problems.add(
                path,
                f"Unity Catalog secret '{full_name}' does not exist; an external key must be written "
                f"before the vault is deployed: {create_command(full_name)}",
            )
    return problems


#: the engine's own invoke that reads a stack's last saved state (what ``StackReference`` and
#: ``pulumi.runtime.get_stack_resource_outputs`` use): pulumi ``pkg/resource/deploy/builtins.go``
READ_STACK_RESOURCES = "pulumi:pulumi:readStackResourceOutputs"
#: the root resource, which a URN's type chain leaves out
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
#: the only outputs kept from the saved state: the names a child was created with, never a value
NAME_FIELDS = frozenset(
    {
        "name",
        "key",
        "scope",
        "keyvaultMetadata",
        "resourceGroupName",
        "vaultName",
        "secretName",
        "catalogName",
        "schemaName",
        "fullName",
    }
)


@dataclass(frozen=True)
class Previous:
    """The names this component's children were created with, from the stack's last saved state.

    Keyed by child type token and resource name. Empty on a first deployment, and where the
    state cannot be read (Pulumi's unit-test mocks answer every invoke with nothing)."""

    children: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    #: the URNs of the component's children up to their type (``<prefix><type>::<name>``)
    urn_prefix: str = ""

    def of(self, type_token: str, resource_name: str) -> Mapping[str, Any] | None:
        return self.children.get((type_token, resource_name))

    def urn(self, type_token: str, resource_name: str) -> str:
        return f"{self.urn_prefix}{type_token}::{resource_name}"


def component_type_chain(parent_urn: str | None, type_token: str) -> str:
    """The URN type part of a resource of ``type_token`` under the parent of that URN."""
    if parent_urn is None:
        return type_token
    parent_chain = parent_urn.split("::")[2]
    if parent_chain == ROOT_STACK_TYPE:
        return type_token
    return f"{parent_chain}${type_token}"


def children_in_state(resources: Mapping[str, Any], stack: str, project: str, chain: str) -> Previous:
    """The direct children of components of type chain ``chain`` among ``resources``: a child's
    URN names no parent, so children of two such components never share a resource name."""
    prefix = f"urn:pulumi:{stack}::{project}::{chain}$"
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    for urn, entry in resources.items():
        if not urn.startswith(prefix) or not isinstance(entry, Mapping):
            continue
        child_type, _, child_name = urn[len(prefix) :].partition("::")
        if "$" in child_type:
            continue
        outputs = entry.get("outputs")
        if isinstance(outputs, Mapping):
            found[(child_type, child_name)] = {k: v for k, v in outputs.items() if k in NAME_FIELDS}
    return Previous(found, prefix)


async def previous_state(name: str, type_token: str, opts: pulumi.ResourceOptions | None) -> Previous:
    """What the stack's last saved state holds for the children of the component ``name``.

    Read with the engine's ``readStackResourceOutputs`` on the component's own stack, before
    anything is registered: in a preview and an update alike it is the state the update
    starts from. Only the names are kept (``NAME_FIELDS``); values are dropped at once."""
    parent_urn: str | None = None
    if opts is not None and isinstance(opts.parent, pulumi.Resource):
        parent_urn = await opts.parent.urn.future()
    chain = component_type_chain(parent_urn, type_token)
    stack, project = pulumi.get_stack(), pulumi.get_project()
    stack_name = f"{pulumi.get_organization()}/{project}/{stack}"
    try:
        result = pulumi.runtime.invoke(READ_STACK_RESOURCES, {"stackName": stack_name}).value
    except Exception as error:  # a stack with no saved state yet, or no backend to ask
        pulumi.log.debug(f"no saved state read for {name}: {type(error).__name__}")
        return Previous()
    resources = result.get("outputs") if isinstance(result, Mapping) else None
    if not isinstance(resources, Mapping):
        return Previous()
    return children_in_state(resources, stack, project, chain)
