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
