"""``LlmKeyVault``: the component resource, a thin layer over the plan.

It reads and plans the inputs before registering anything, then registers one
child per planned scope, secret and grant, and exposes the outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any

import pulumi

from . import children
from .args import Backend, LlmKeyVaultArgs, read_args
from .outputs import OUTPUT_ATTRIBUTES, render_outputs, suffixed_names
from .plan import VaultPlan, plan_vault
from .schema import VAULT_TYPE


class LlmKeyVault(pulumi.ComponentResource):
    """LLM provider API keys in Databricks secret scopes, with least-privilege ACLs."""

    scope_names: pulumi.Output[dict[str, str]]
    scopes: pulumi.Output[list[str]]
    secret_keys: pulumi.Output[dict[str, str]]
    secret_references: pulumi.Output[dict[str, str]]
    environment_variables: pulumi.Output[dict[str, str]]
    grants: pulumi.Output[list[dict[str, str]]]
    backend: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: LlmKeyVaultArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        checked = read_args(args)
        plan = plan_vault(resource_name, checked)
        # Key values are never the component's own props: they would be stored
        # with it. They reach only the children that hold them.
        super().__init__(VAULT_TYPE, resource_name, {}, opts)
        depends_on = _dependencies(opts)
        self.plan = plan
        self.outputs = _register_children(self, plan, checked, depends_on)
        for schema_name, attribute in OUTPUT_ATTRIBUTES.items():
            setattr(self, attribute, self.outputs[schema_name])
        self.register_outputs(self.outputs)


def _dependencies(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    if opts is None or opts.depends_on is None:
        return []
    listed = opts.depends_on if isinstance(opts.depends_on, list) else [opts.depends_on]
    return [r for r in listed if isinstance(r, pulumi.Resource)]


def _register_children(
    parent: pulumi.Resource, plan: VaultPlan, args: LlmKeyVaultArgs, depends_on: list[pulumi.Resource]
) -> dict[str, pulumi.Output[Any]]:
    if plan.suffix_resource_name is not None:
        suffix = children.random_suffix(plan.suffix_resource_name, parent, depends_on)
        names: pulumi.Output[dict[str, str]] = suffix.apply(lambda hex_: suffixed_names(plan, hex_))
    else:
        names = pulumi.Output.from_input(suffixed_names(plan, None))

    created: dict[str, pulumi.Output[str]] = {}
    for scope in plan.scopes:
        final_name: pulumi.Output[str] = names.apply(itemgetter(scope.name))
        resource = children.secret_scope(scope, final_name, plan.key_vault, parent, depends_on)
        # Children take the scope name from the scope resource, so they wait for it.
        created[scope.name] = resource.name  # type: ignore[attr-defined]

    for secret in plan.secrets:
        value = children.checked_value(args.providers[secret.provider_index].api_key, secret, plan.backend)
        if plan.backend is Backend.AZURE_KEY_VAULT:
            assert plan.key_vault is not None
            children.key_vault_secret(secret, plan.key_vault, value, parent, depends_on)
        else:
            children.databricks_secret(secret, created[secret.scope], value, parent, depends_on)

    for grant in plan.grants:
        if grant.resource_name is not None:
            children.secret_acl(grant, created[grant.scope], parent, depends_on)

    rendered = names.apply(lambda n: render_outputs(plan, n))
    return {name: rendered.apply(itemgetter(name)) for name in OUTPUT_ATTRIBUTES}
