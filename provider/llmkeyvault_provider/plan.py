"""From checked arguments to a plan: which scopes, secrets and grants exist.

Pure: no Pulumi, no I/O, no key material (a secret is planned by the index of
its provider, never by its value). Every rule of the contract that relates
inputs to each other lives here: names after prefix and suffix, uniqueness,
least-privilege grants and the workspace-users rule, and backend coherence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from . import rules
from .args import Backend, LlmKeyVaultArgs
from .catalog import default_env_var_name, default_secret_key
from .errors import Problems
from .keyvault import KeyVaultPlan, plan_key_vault

Permission = Literal["READ", "WRITE", "MANAGE"]

#: the order in which grant levels are listed and checked
LEVELS: tuple[tuple[str, Permission], ...] = (
    ("readers", "READ"),
    ("writers", "WRITE"),
    ("managers", "MANAGE"),
)


@dataclass(frozen=True)
class ScopePlan:
    """One secret scope. ``name`` is final unless the plan has a unique suffix."""

    name: str
    resource_name: str
    providers: tuple[str, ...]
    initial_manage_principal: str | None


@dataclass(frozen=True)
class SecretPlan:
    """One provider's key: a Databricks secret, or a Key Vault secret."""

    provider: str
    provider_index: int
    scope: str
    key: str
    env_var_name: str
    resource_name: str


@dataclass(frozen=True)
class GrantPlan:
    """One ACL. ``resource_name`` is None when the scope's creation carries it."""

    scope: str
    principal: str
    permission: Permission
    resource_name: str | None


@dataclass(frozen=True)
class VaultPlan:
    """Everything the component registers, in registration order."""

    backend: Backend
    scopes: tuple[ScopePlan, ...]
    secrets: tuple[SecretPlan, ...]
    grants: tuple[GrantPlan, ...]
    key_vault: KeyVaultPlan | None
    suffix_resource_name: str | None


def plan_vault(name: str, args: LlmKeyVaultArgs) -> VaultPlan:
    """Check every cross-field rule and plan the resources; raise ``InvalidInput``."""
    problems = Problems()
    _check_provider_names(args, problems)
    key_vault = _check_backend(args, problems)
    _check_principals(args, problems)
    if problems:
        problems.raise_if_any()

    scopes = _plan_scopes(name, args, problems)
    secrets = _plan_secrets(name, args, scopes, problems)
    _check_env_var_names(secrets, args, problems)
    problems.raise_if_any()
    grants = _plan_grants(name, args, scopes)
    scopes = tuple(_with_initial_manage(s, grants) for s in scopes)
    return VaultPlan(
        backend=args.backend,
        scopes=scopes,
        secrets=secrets,
        grants=grants,
        key_vault=key_vault,
        suffix_resource_name=f"{name}-suffix" if args.unique_suffix else None,
    )


def _check_provider_names(args: LlmKeyVaultArgs, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for i, provider in enumerate(args.providers):
        path = f"providers[{i}].name"
        if not rules.PROVIDER_NAME.fullmatch(provider.name):
            problems.add(
                path, f"'{provider.name}' is not a provider id; use {rules.PROVIDER_NAME_RULE} (e.g. 'openai')"
            )
        elif provider.name in seen:
            problems.add(
                path, f"'{provider.name}' is already providers[{seen[provider.name]}]; provider names must be unique"
            )
        else:
            seen[provider.name] = i


def _check_backend(args: LlmKeyVaultArgs, problems: Problems) -> KeyVaultPlan | None:
    if args.backend is Backend.DATABRICKS:
        if args.key_vault is not None:
            problems.add("keyVault", "is only used with backend 'azure-keyvault'; remove it or set backend")
        return None
    if args.scope_per_provider:
        problems.add(
            "scopePerProvider",
            "cannot be used with backend 'azure-keyvault': a Key Vault-backed scope shows every secret "
            "of its vault, so per-provider scopes would not isolate keys; use the databricks backend",
        )
    if args.key_vault is None:
        problems.add("keyVault", "is required with backend 'azure-keyvault': give the vault's resourceId")
        return None
    return plan_key_vault(args.key_vault, "keyVault", problems)


def _check_principal(principal: str, path: str, args: LlmKeyVaultArgs, problems: Problems) -> bool:
    if not principal or principal != principal.strip():
        problems.add(
            path, "must be a principal name without surrounding spaces (a user e-mail, group or application id)"
        )
        return False
    if len(principal) > rules.PRINCIPAL_MAX_LENGTH:
        problems.add(path, f"is {len(principal)} characters; principal names are at most {rules.PRINCIPAL_MAX_LENGTH}")
        return False
    if principal == rules.WORKSPACE_USERS and not args.allow_workspace_users:
        problems.add(
            path,
            "'users' is every user of the workspace; set allowWorkspaceUsers to true to grant it on purpose",
        )
        return False
    return True


def _check_principals(args: LlmKeyVaultArgs, problems: Problems) -> None:
    level_of: dict[str, str] = {}
    for field, _permission in LEVELS:
        listed: Sequence[str] = getattr(args, field)
        for j, principal in enumerate(listed):
            path = f"{field}[{j}]"
            if not _check_principal(principal, path, args, problems):
                continue
            earlier = level_of.get(principal)
            if earlier is None:
                level_of[principal] = path
            elif earlier.startswith(field + "["):
                problems.add(path, f"'{principal}' is listed twice (also {earlier})")
            else:
                problems.add(
                    path,
                    f"'{principal}' is also {earlier}; a principal gets one level per scope, "
                    "list it once at the level it needs",
                )
    for i, provider in enumerate(args.providers):
        if provider.readers and not args.scope_per_provider:
            problems.add(
                f"providers[{i}].readers",
                "needs scopePerProvider: true; Databricks ACLs apply to a whole scope, so per-provider "
                "readers need a scope per provider (or list them in readers for every scope)",
            )
            continue
        own: set[str] = set()
        for j, principal in enumerate(provider.readers):
            path = f"providers[{i}].readers[{j}]"
            if not _check_principal(principal, path, args, problems):
                continue
            if principal in own:
                problems.add(path, f"'{principal}' is listed twice")
                continue
            own.add(principal)
            earlier = level_of.get(principal)
            if earlier is not None and earlier.startswith("readers["):
                problems.add(path, f"'{principal}' already reads every scope ({earlier}); list it once")
            elif earlier is not None:
                problems.add(path, f"'{principal}' is also {earlier}; a principal gets one level per scope")


def _name_problem(name: str, extra_length: int = 0) -> str | None:
    """Why ``name`` is no scope name or secret key, or None when it is one."""
    if not rules.NAME_CHARACTERS.fullmatch(name):
        return f"use {rules.NAME_RULE}"
    if len(name) + extra_length > rules.MAX_NAME_LENGTH:
        return f"it is {len(name) + extra_length} characters; at most {rules.MAX_NAME_LENGTH}"
    return None


def _plan_scopes(name: str, args: LlmKeyVaultArgs, problems: Problems) -> tuple[ScopePlan, ...]:
    base = args.scope_name if args.scope_name is not None else name
    origin = "" if args.scope_name is not None else f"defaults to the resource name '{name}', but "
    suffix = rules.SUFFIX_LENGTH if args.unique_suffix else 0
    if not args.scope_per_provider:
        planned = [(base, f"{name}-scope", tuple(p.name for p in args.providers))]
    else:
        planned = [(f"{base}-{p.name}", f"{name}-scope-{p.name}", (p.name,)) for p in args.providers]
    scopes: list[ScopePlan] = []
    for scope_name, resource_name, providers in planned:
        problem = _name_problem(scope_name, suffix)
        if problem is not None:
            with_suffix = " with the 9-character unique suffix" if suffix and "characters" in problem else ""
            problems.add(
                "scopeName", f"{origin}'{scope_name}' is not a valid scope name{with_suffix}: {problem}; set scopeName"
            )
            break
        scopes.append(ScopePlan(scope_name, resource_name, providers, None))
    return tuple(scopes)


def _plan_secrets(
    name: str, args: LlmKeyVaultArgs, scopes: Sequence[ScopePlan], problems: Problems
) -> tuple[SecretPlan, ...]:
    scope_of = {provider: scope.name for scope in scopes for provider in scope.providers}
    key_vault = args.backend is Backend.AZURE_KEY_VAULT
    seen: dict[tuple[str, str], int] = {}
    secrets: list[SecretPlan] = []
    for i, provider in enumerate(args.providers):
        path = f"providers[{i}].secretKey"
        key = provider.secret_key if provider.secret_key is not None else default_secret_key(provider.name)
        scope = scope_of.get(provider.name)
        if scope is None:
            continue  # its scope name was refused already
        problem = _name_problem(key)
        if problem is not None:
            problems.add(path, f"'{key}' is not a valid secret key: {problem}")
            continue
        if key_vault and not rules.KEY_VAULT_SECRET_NAME.fullmatch(key):
            suggestion = key.replace("_", "-").replace(".", "-")
            problems.add(
                path,
                f"'{key}' cannot name an Azure Key Vault secret: use {rules.KEY_VAULT_SECRET_NAME_RULE}, "
                f"for example '{suggestion}'",
            )
            continue
        # Key Vault secret names are case-insensitive; Databricks keys are not.
        identity = (scope, key.lower() if key_vault else key)
        if identity in seen:
            problems.add(path, f"'{key}' is already the key of providers[{seen[identity]}] in scope '{scope}'")
            continue
        seen[identity] = i
        env_var = provider.env_var_name if provider.env_var_name is not None else default_env_var_name(provider.name)
        secrets.append(SecretPlan(provider.name, i, scope, key, env_var, f"{name}-secret-{provider.name}"))
    return tuple(secrets)


def _check_env_var_names(secrets: Sequence[SecretPlan], args: LlmKeyVaultArgs, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for secret in secrets:
        path = f"providers[{secret.provider_index}].envVarName"
        if not rules.ENV_VAR_NAME.fullmatch(secret.env_var_name):
            problems.add(
                path, f"'{secret.env_var_name}' is not an environment variable name; use {rules.ENV_VAR_NAME_RULE}"
            )
        elif secret.env_var_name in seen:
            problems.add(
                path,
                f"'{secret.env_var_name}' is already the variable of providers[{seen[secret.env_var_name]}]; "
                "set a distinct envVarName",
            )
        else:
            seen[secret.env_var_name] = secret.provider_index


def _plan_grants(name: str, args: LlmKeyVaultArgs, scopes: Sequence[ScopePlan]) -> tuple[GrantPlan, ...]:
    extra_readers = {p.name: tuple(p.readers) for p in args.providers}
    grants: list[GrantPlan] = []
    for scope in scopes:
        listed: list[tuple[str, Permission]] = [
            (principal, permission) for field, permission in LEVELS for principal in getattr(args, field)
        ]
        if args.scope_per_provider:
            listed += [(principal, "READ") for principal in extra_readers[scope.providers[0]]]
        prefix = f"{name}-acl-" if not args.scope_per_provider else f"{name}-acl-{scope.providers[0]}/"
        for principal, permission in listed:
            # On Standard-tier workspaces the only ACL a scope can have is MANAGE for
            # 'users', and only as initial_manage_principal, so that is how it is set.
            carried = principal == rules.WORKSPACE_USERS and permission == "MANAGE"
            grants.append(GrantPlan(scope.name, principal, permission, None if carried else prefix + principal))
    return tuple(sorted(grants, key=lambda g: (g.scope, g.principal, g.permission)))


def _with_initial_manage(scope: ScopePlan, grants: Sequence[GrantPlan]) -> ScopePlan:
    carried = any(g.scope == scope.name and g.resource_name is None for g in grants)
    if not carried:
        return scope
    return ScopePlan(scope.name, scope.resource_name, scope.providers, rules.WORKSPACE_USERS)
