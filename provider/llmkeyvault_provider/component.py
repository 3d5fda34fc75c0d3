"""``LlmKeyVault``: the component resource, a thin layer over the plan.

It checks and plans every input before registering anything, then registers
one child per planned scope, secret and grant, and exposes the outputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from operator import itemgetter
from typing import Any, TypeVar

import pulumi

from . import children, rules
from .args import Backend, LlmKeyVaultArgs
from .outputs import OUTPUT_ATTRIBUTES, FinalNames, final_names, render_outputs
from .plan import GrantPlan, VaultPlan, check_inputs
from .schema import VAULT_TYPE

T = TypeVar("T")

#: inputs whose values reach the outputs and child properties (``providers`` arrives
#: as one secret list whatever it holds, so its fields are taken as plain)
NAME_INPUTS = frozenset({"scopeName"})
PRINCIPAL_INPUTS = frozenset({"readers", "writers", "managers"})

WORKSPACE_USERS_MANAGE_WARNING = (
    "every workspace user ('users') holds MANAGE on {scopes}: they can read, overwrite and delete "
    "every key and change the ACLs. Moving 'users' between MANAGE and another level replaces the "
    "scope, which deletes and re-creates every key in it."
)


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
        *,
        secret_inputs: Collection[str] = (),
    ) -> None:
        """Check and plan ``args``, then register the children.

        ``secret_inputs`` names the inputs that arrived secret (the provider
        passes them): every output and child property derived from them stays
        secret, and a secret principal never appears in a child's name.
        """
        checked, plan = check_inputs(resource_name, args)
        # Key values are never the component's own props: they would be stored
        # with it. They reach only the children that hold them.
        super().__init__(VAULT_TYPE, resource_name, {}, opts)
        if plan.workspace_users_manage:
            scopes = ", ".join(f"'{s.name}'" for s in plan.scopes)
            pulumi.log.warn(WORKSPACE_USERS_MANAGE_WARNING.format(scopes=scopes), resource=self)
        self.plan = plan
        self.outputs = _register_children(self, plan, checked, _dependencies(opts), frozenset(secret_inputs))
        for schema_name, attribute in OUTPUT_ATTRIBUTES.items():
            setattr(self, attribute, self.outputs[schema_name])
        self.register_outputs(self.outputs)


def _dependencies(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    if opts is None or opts.depends_on is None:
        return []
    listed = opts.depends_on if isinstance(opts.depends_on, list) else [opts.depends_on]
    return [r for r in listed if isinstance(r, pulumi.Resource)]


def _gate(values: list[pulumi.Output[str]]) -> pulumi.Output[None] | None:
    """An Output that resolves once every key given as an Output has passed its check.

    Keys known when the component is built were checked by the plan. A key
    passed as an Output (in a Python program) is known only later; every child
    waits for this gate, so a refused key leaves nothing registered. The gate
    carries no key material, so it is not secret.
    """
    if not values:
        return None
    passed: pulumi.Output[None] = pulumi.Output.all(*values).apply(lambda _: None)
    return pulumi.Output.unsecret(passed)


def _held(value: pulumi.Input[T], gate: pulumi.Output[None] | None) -> pulumi.Output[T]:
    if gate is None:
        return pulumi.Output.from_input(value)
    return pulumi.Output.all(gate, value).apply(itemgetter(1))


def _secret_if(value: pulumi.Input[T], secret: bool) -> pulumi.Output[T]:
    return pulumi.Output.secret(value) if secret else pulumi.Output.from_input(value)


def _acl_resource_name(grant: GrantPlan, hide_principal: bool) -> str:
    """The ACL's resource name; a secret principal is replaced by a digest of it."""
    assert grant.resource_name is not None
    if not hide_principal:
        return grant.resource_name
    prefix = grant.resource_name[: len(grant.resource_name) - len(grant.principal)]
    return prefix + "principal-" + hashlib.sha256(grant.principal.encode()).hexdigest()[:16]


def _scope_name_of(planned: str) -> Callable[[FinalNames], str]:
    return lambda names: names.scopes[planned]


def _key_of(provider: str) -> Callable[[FinalNames], str]:
    return lambda names: names.keys[provider]


def _register_children(
    parent: pulumi.Resource,
    plan: VaultPlan,
    args: LlmKeyVaultArgs,
    depends_on: list[pulumi.Resource],
    secret_inputs: frozenset[str],
) -> dict[str, pulumi.Output[Any]]:
    secret_names = bool(secret_inputs & NAME_INPUTS)
    secret_principals = bool(secret_inputs & PRINCIPAL_INPUTS)
    values = {
        s.provider: children.checked_value(args.providers[s.provider_index].api_key, s, plan.backend)
        for s in plan.secrets
    }
    gate = _gate(
        [values[s.provider] for s in plan.secrets if not isinstance(args.providers[s.provider_index].api_key, str)]
    )

    names: pulumi.Output[FinalNames]
    if plan.suffix_resource_name is not None:
        suffix = children.random_suffix(plan.suffix_resource_name, _held(rules.SUFFIX_BYTES, gate), parent, depends_on)
        names = suffix.apply(lambda hex_: final_names(plan, hex_))
    else:
        names = _held(final_names(plan, None), gate)
    names = _secret_if(names, secret_names)

    created: dict[str, pulumi.Output[str]] = {}
    for scope in plan.scopes:
        final_name = names.apply(_scope_name_of(scope.name))
        resource = children.secret_scope(scope, final_name, plan.key_vault, parent, depends_on)
        # Children take the scope name from the scope resource, so they wait for it.
        created[scope.name] = resource.name  # type: ignore[attr-defined]

    for secret in plan.secrets:
        if plan.backend is Backend.AZURE_KEY_VAULT:
            assert plan.key_vault is not None
            key = names.apply(_key_of(secret.provider))
            children.key_vault_secret(secret, plan.key_vault, key, values[secret.provider], parent, depends_on)
        else:
            children.databricks_secret(secret, created[secret.scope], values[secret.provider], parent, depends_on)

    for grant in plan.grants:
        if grant.resource_name is not None:
            children.secret_acl(
                grant,
                _acl_resource_name(grant, secret_principals),
                created[grant.scope],
                _secret_if(grant.principal, secret_principals),
                parent,
                depends_on,
            )

    rendered = names.apply(lambda n: render_outputs(plan, n))
    secret_outputs = secret_names or secret_principals
    outputs = {name: _secret_if(rendered.apply(itemgetter(name)), secret_outputs) for name in OUTPUT_ATTRIBUTES}
    outputs["backend"] = pulumi.Output.from_input(plan.backend.value)  # derived from no name: never secret
    return outputs
