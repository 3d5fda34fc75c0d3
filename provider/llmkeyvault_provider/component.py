"""``LlmKeyVault``: the component resource, a thin layer over the plan.

It checks and plans every input before registering anything, then registers
one child per planned scope, secret and grant, and exposes the outputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any, TypeVar

import pulumi

from . import children, rules
from .args import Backend, LlmKeyVaultArgs
from .errors import InvalidInput
from .expiry import expiry_warnings
from .lookups import Previous, deploying_identity, invoke_options, missing_uc_secrets
from .outputs import GRANTS_ASKED, OUTPUT_ATTRIBUTES, FinalNames, final_names, grants_asked, render_outputs
from .plan import check_inputs, keep_deployer
from .plandata import GrantPlan, SecretGrantsPlan, UnityCatalogPlan, UsagePlan, VaultPlan
from .released import Release, refused_releases, released_secrets
from .schema import VAULT_TYPE
from .usage import usage_privileges as held_usage_privileges

T = TypeVar("T")

#: inputs whose values reach the outputs and child properties and may arrive secret (the
#: provider refuses any other secret name: ``provider.refuse_secret_names``)
NAME_INPUTS = frozenset({"scopeName"})
#: ``providers[].readers``: a provider's own readers, named apart from the rest of ``providers``
PRINCIPAL_INPUTS = frozenset({"readers", "writers", "managers", "referencers", "providers[].readers"})

ADOPTED_RETAINED_WARNING = (
    "adopt: {what} is retained on delete while adopt is set: `pulumi destroy`, or removing this "
    "component, deletes the keys and ACLs or grants it names and leaves {what} in place with "
    "everything else in it. Once adopt is removed it is deleted with the component, unless the "
    "component has the retainOnDelete resource option. Another stack that adopted the same {kind} "
    "is not seen: each deletes only what it names, so two stacks naming the same key delete it "
    "for both. See docs/adoption.md."
)

DEPLOYER_UNKNOWN_NOTE = (
    "the databricks provider's current-user data source named no user, so no MANAGE ACL keeps the "
    "deploying identity on the scopes (deployerAcl): list it in managers if it is not a workspace admin"
)

DEPLOYER_RETAINED_NOTE = (
    "deployerAcl: the deploying identity keeps MANAGE on {scopes} as an ACL of its own, retained on "
    "delete: an update by another identity adds that identity's MANAGE and leaves this one in place, "
    "until it is removed by hand (databricks secrets delete-acl). See docs/production.md."
)

WORKSPACE_USERS_MANAGE_WARNING = (
    "every workspace user ('users') holds MANAGE on {scopes}: they can read, overwrite and delete "
    "every key and change the ACLs. MANAGE for 'users' is an ACL of its own (besides the scope's "
    "initial_manage_principal when it was created with it): moving 'users' to another level later "
    "updates that ACL, and keeps the scope and every key in it."
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
    external_keys: pulumi.Output[list[str]]

    def __init__(
        self,
        resource_name: str,
        args: LlmKeyVaultArgs | Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
        *,
        secret_inputs: Collection[str] = (),
        previous: Previous | None = None,
    ) -> None:
        """Check and plan ``args``, then register the children.

        ``secret_inputs`` names the inputs that arrived secret (the provider
        passes them): every output and child property derived from them stays
        secret, and a secret principal never appears in a child's name.
        ``previous`` is what the stack's saved state holds for the children
        (``lookups.previous_state``).
        """
        checked, plan = check_inputs(resource_name, args)
        previous = previous or Previous()
        refused_release = refused_releases(plan, previous)
        if refused_release:
            raise InvalidInput(refused_release)
        # What the workspace says, read with the databricks provider's data sources before
        # anything is registered, so that a refusal leaves nothing behind.
        if plan.needs_deployer:
            deployer = deploying_identity(opts)
            if deployer is None:
                pulumi.log.info(DEPLOYER_UNKNOWN_NOTE)
            else:
                plan = keep_deployer(checked, plan, deployer)
                if any(g.after_imports for g in plan.grants):
                    names = ", ".join(f"'{s.name}'" for s in plan.scopes)
                    pulumi.log.info(DEPLOYER_RETAINED_NOTE.format(scopes=names))
        if plan.backend is Backend.UNITY_CATALOG and plan.external_keys:
            missing_uc_secrets(plan, opts).raise_if_any()
        # What each principal of a usage grant holds already, which its Grant keeps (usage.py).
        explicit = invoke_options(opts).provider is not None
        secret_principals = bool(frozenset(secret_inputs) & PRINCIPAL_INPUTS)
        usage_privileges, refused = held_usage_privileges(plan, explicit, secret_principals)
        refused.raise_if_any()
        # Key values are never the component's own props: they would be stored
        # with it. They reach only the children that hold them.
        super().__init__(VAULT_TYPE, resource_name, {}, opts)
        if plan.workspace_users_manage:
            held = [s.name for s in plan.scopes if s.initial_manage_principal is not None]
            scopes = f"'{held[0]}'" if len(held) == 1 else f"{len(held)} scopes ('{held[0]}', ...)"
            pulumi.log.warn(WORKSPACE_USERS_MANAGE_WARNING.format(scopes=scopes), resource=self)
        now = datetime.now(timezone.utc)
        expirations = {s.provider: s.expires_at for s in plan.secrets if s.expires_at is not None}
        for warning in expiry_warnings(expirations, plan.rotation_warning_days, now):
            pulumi.log.warn(warning.message(now), resource=self)
        _warn_what_is_kept(self, plan)
        self.plan = plan
        # Pulumi's retainOnDelete on the component (which has no delete of its own) is kept
        # by every child: how a stack keeps what it adopted once adopt is removed.
        retained = bool(opts is not None and opts.retain_on_delete)
        self.outputs = _register_children(
            self, plan, checked, _dependencies(opts), frozenset(secret_inputs), retained, usage_privileges, previous
        )
        for schema_name, attribute in OUTPUT_ATTRIBUTES.items():
            setattr(self, attribute, self.outputs[schema_name])
        asked = _secret_if(grants_asked(plan), secret_principals)
        self.register_outputs({**self.outputs, GRANTS_ASKED: asked})


def _warn_what_is_kept(component: pulumi.Resource, plan: VaultPlan) -> None:
    """Say in every preview what a delete leaves."""
    uc = plan.unity_catalog
    if plan.adopt and plan.scopes:
        names = ", ".join(f"'{s.name}'" for s in plan.scopes)
        what = f"the scope {names}" if len(plan.scopes) == 1 else f"the scopes {names}"
        pulumi.log.warn(ADOPTED_RETAINED_WARNING.format(what=what, kind="scope"), resource=component)
    elif plan.adopt and uc is not None and plan.schema_resource_name is not None:
        what = f"the schema '{uc.schema_full_name}'"
        pulumi.log.warn(ADOPTED_RETAINED_WARNING.format(what=what, kind="schema"), resource=component)


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


def _hidden(resource_name: str, principal: str, hide_principal: bool) -> str:
    """A resource name that ends in ``principal``, with a digest of it instead when it is secret."""
    if not hide_principal:
        return resource_name
    prefix = resource_name[: len(resource_name) - len(principal)]
    return prefix + "principal-" + hashlib.sha256(principal.encode()).hexdigest()[:16]


def _acl_resource_name(grant: GrantPlan, hide_principal: bool) -> str:
    """Named by the principal as Databricks compares it (``plan.py``), or its digest when secret."""
    assert grant.resource_name is not None
    return _hidden(grant.resource_name, rules.principal_identity(grant.principal), hide_principal)


def _former_acl_resource_name(grant: GrantPlan, hide_principal: bool) -> str | None:
    """The 0.2.0 name of an ACL: after the principal as spelled (or the digest of that)."""
    if grant.former_resource_name is None:
        return None
    return _hidden(grant.former_resource_name, grant.principal, hide_principal)


def _usage_resource_name(usage: UsagePlan, hide_principal: bool) -> str:
    return _hidden(usage.resource_name, rules.principal_identity(usage.principal), hide_principal)


def _scope_name_of(planned: str) -> Callable[[FinalNames], str]:
    return lambda names: names.scopes[planned]


def _key_of(provider: str) -> Callable[[FinalNames], str]:
    return lambda names: names.keys[provider]


def _full_name_of(uc: UnityCatalogPlan, provider: str) -> Callable[[FinalNames], str]:
    return lambda names: uc.full_name(names.keys[provider])


@dataclass(frozen=True)
class _Children:
    """What the registration of one component's children shares."""

    plan: VaultPlan
    at: children.Placement
    #: the created names, known once the suffix (and every key's check) is
    names: pulumi.Output[FinalNames]
    values: dict[str, pulumi.Output[str]]
    secret_principals: bool
    gate: pulumi.Output[None] | None
    #: each usage grant's privileges by resource name: what its principal held, plus its own
    usage_privileges: Mapping[str, list[str]]
    previous: Previous
    #: the former secret child of each external key the stack created, by resource name
    releases: Mapping[str, Release]


def _register_children(
    parent: pulumi.Resource,
    plan: VaultPlan,
    args: LlmKeyVaultArgs,
    depends_on: list[pulumi.Resource],
    secret_inputs: frozenset[str],
    retained: bool = False,
    usage_privileges: Mapping[str, list[str]] | None = None,
    previous: Previous | None = None,
) -> dict[str, pulumi.Output[Any]]:
    secret_names = bool(secret_inputs & NAME_INPUTS)
    secret_principals = bool(secret_inputs & PRINCIPAL_INPUTS)
    # An external key has no value here at all: nothing to check, nothing to write.
    managed = [s for s in plan.secrets if not s.external]
    values = {
        s.provider: children.checked_value(args.providers[s.provider_index].api_key, s, plan.backend) for s in managed
    }
    later = [s.provider for s in managed if not isinstance(args.providers[s.provider_index].api_key, str)]
    gate = _gate([values[provider] for provider in later])
    at = children.Placement(parent, tuple(depends_on), plan.adopt, retained=retained)

    names: pulumi.Output[FinalNames]
    if plan.suffix_resource_name is not None:
        suffix = children.random_suffix(plan.suffix_resource_name, _held(rules.SUFFIX_BYTES, gate), at)
        names = suffix.apply(lambda hex_: final_names(plan, hex_))
    else:
        names = _held(final_names(plan, None), gate)
    names = _secret_if(names, secret_names)
    previous = previous or Previous()
    releases = released_secrets(plan, previous)
    shared = _Children(plan, at, names, values, secret_principals, gate, usage_privileges or {}, previous, releases)
    if plan.backend is Backend.UNITY_CATALOG:
        _register_uc(shared)
    else:
        _register_scopes(shared)

    rendered = names.apply(lambda n: render_outputs(plan, n))
    secret_outputs = secret_names or secret_principals
    outputs = {name: _secret_if(rendered.apply(itemgetter(name)), secret_outputs) for name in OUTPUT_ATTRIBUTES}
    outputs["backend"] = pulumi.Output.from_input(plan.backend.value)  # derived from no name: never secret
    return outputs


def _saved_vault(saved_scope: Mapping[str, Any] | None) -> Mapping[str, str]:
    """The resource group and vault a saved Key Vault-backed scope was created with, as spelled."""
    metadata = saved_scope.get("keyvaultMetadata") if saved_scope is not None else None
    resource_id = metadata.get("resourceId") if isinstance(metadata, Mapping) else None
    found = rules.KEY_VAULT_RESOURCE_ID.fullmatch(resource_id.rstrip("/")) if isinstance(resource_id, str) else None
    return {"resourceGroupName": found["group"], "vaultName": found["vault"]} if found is not None else {}


def _register_scopes(c: _Children) -> None:
    plan = c.plan
    created: dict[str, pulumi.Output[str]] = {}
    saved_vaults: dict[str, Mapping[str, str]] = {}
    for scope in plan.scopes:
        final_name = c.names.apply(_scope_name_of(scope.name))
        saved = c.previous.of(children.SECRET_SCOPE, scope.resource_name)
        saved_vaults[scope.name] = _saved_vault(saved)
        at = c.at.adopting(scope.import_id)
        resource = children.secret_scope(scope, final_name, plan.key_vault, at, saved)
        # Children take the scope name from the scope resource, so they wait for it.
        created[scope.name] = resource.name  # type: ignore[attr-defined]

    # What an adoption imports, which the children created beside it wait for.
    imported: list[pulumi.Resource] = []
    for secret in plan.secrets:
        if secret.external:
            # Its value is written outside Pulumi; the scope, ACLs and references are the same.
            # A secret the stack created before is let go of, not deleted (released.py).
            _release(c, secret.resource_name, c.at)
            continue
        value, at = c.values[secret.provider], c.at.adopting(secret.import_id)
        if plan.key_vault is not None:
            key = c.names.apply(_key_of(secret.provider))
            # A Key Vault secret's outputs do not hold its vault: the scope's saved one names it.
            vault = saved_vaults.get(secret.scope, {})
            imported.append(children.key_vault_secret(secret, plan.key_vault, key, value, at, vault))
        else:
            imported.append(children.databricks_secret(secret, created[secret.scope], value, at))

    for grant in plan.acls:
        principal = _secret_if(grant.principal, c.secret_principals)
        name = _acl_resource_name(grant, c.secret_principals)
        former = _former_acl_resource_name(grant, c.secret_principals)
        at = c.at.after_imports(imported) if grant.after_imports else c.at.adopting(grant.import_id)
        acl = children.secret_acl(grant, name, created[grant.scope], principal, at, former)
        if not grant.after_imports:
            imported.append(acl)


def _release(c: _Children, resource_name: str, at: children.Placement) -> None:
    """Let go of the former secret child of an external key, if the stack created one."""
    release = c.releases.get(resource_name)
    if release is not None:
        children.released_secret(release.type_token, release.resource_name, release.provider_id, release.state, at)


def _register_secret_grants(
    c: _Children, grants: SecretGrantsPlan, full_name: pulumi.Output[str], at: children.Placement
) -> None:
    if not grants.per_principal:
        children.uc_secret_grants(
            grants, full_name, at.adopting(grants.import_id), secret_principals=c.secret_principals
        )
        return
    for principal, privileges in grants.privileges:
        name = _hidden(
            grants.principal_resource_name(principal), rules.principal_identity(principal), c.secret_principals
        )
        held: pulumi.Output[str] = _held(principal, c.gate)
        children.uc_secret_grant(name, full_name, _secret_if(held, c.secret_principals), privileges, at)


def _register_uc(c: _Children) -> None:
    plan, uc = c.plan, c.plan.unity_catalog
    assert uc is not None
    component = f"LlmKeyVault {plan.name}"
    at = c.at
    if plan.schema_resource_name is not None:
        comment = f"LLM provider API keys, managed by {component}"
        schema = children.uc_schema(
            plan.schema_resource_name, uc, _held(uc.schema, c.gate), comment, c.at.adopting(uc.schema_full_name)
        )
        at = at.after(schema)

    grants_of = {grants.provider: grants for grants in plan.secret_grants}
    for secret in plan.secrets:
        comment = f"API key of LLM provider '{secret.provider}', managed by {component}"
        secret_name = c.names.apply(_key_of(secret.provider))
        grants_at = at
        if not secret.external:  # an external secret exists already (checked while planning)
            created = children.uc_secret(
                secret, uc, secret_name, c.values[secret.provider], comment, at.adopting(secret.import_id)
            )
            grants_at = at.after(created)
        else:
            _release(c, secret.resource_name, at)
        grants = grants_of.get(secret.provider)
        if grants is not None:
            # The secret's full name is known from the plan; the grants wait for the secret itself.
            _register_secret_grants(c, grants, c.names.apply(_full_name_of(uc, secret.provider)), grants_at)

    for usage in plan.usage:
        held: pulumi.Output[str] = _held(usage.principal, c.gate)
        resource_name = _usage_resource_name(usage, c.secret_principals)
        kept = c.usage_privileges.get(usage.resource_name, [usage.privilege])
        children.usage_grant(
            usage, resource_name, _secret_if(held, c.secret_principals), at.adopting(usage.import_id), kept
        )
