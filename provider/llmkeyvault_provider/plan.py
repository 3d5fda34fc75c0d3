"""From checked arguments to a plan: which scopes, secrets and grants exist.

Pure: no Pulumi, no I/O. A secret is planned by the index of its provider,
never by its value; the only thing the plan asks of a key is whether it is
present and fits the backend. Every rule of the contract that relates inputs
to each other lives here: names after prefix and suffix, uniqueness,
least-privilege grants and the workspace-users rule, service limits and
backend coherence. The single-field rules and limits are in ``rules.py``, what each
principal field grants in ``levels.py``, and the plan's data classes in ``plandata.py``.

Every check runs in one pass: a refused field does not stop the checks of the
others, so one refusal lists every problem.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from . import rules
from .args import UNREADABLE_PROVIDER, Backend, LlmKeyVaultArgs, ProviderKeyArgs, read_args
from .catalog import default_env_var_name, default_secret_key
from .errors import Problems
from .expiry import expiry_problem, parse_expiry
from .keyvault import plan_key_vault
from .levels import LEVELS, MANAGE, PRINCIPAL_FIELDS, READ, READ_SECRET, USE_CATALOG, USE_SCHEMA
from .plandata import (
    GrantPlan,
    KeyVaultPlan,
    ScopePlan,
    SecretGrantsPlan,
    SecretPlan,
    UnityCatalogPlan,
    UsagePlan,
    VaultPlan,
    scoped_id,
)
from .unity import default_secret_name, plan_unity_catalog


def check_inputs(name: str, value: object, problems: Problems | None = None) -> tuple[LlmKeyVaultArgs, VaultPlan]:
    """The one gate: read the types, check every rule, plan; raise ``InvalidInput`` once.

    ``problems`` may already hold what the caller found (unknown values during a
    preview); they are reported together with everything found here.
    """
    problems = Problems() if problems is None else problems
    args = read_args(value, problems)
    plan = plan_vault(name, args, problems)
    problems.raise_if_any()
    return args, plan


def plan_vault(name: str, args: LlmKeyVaultArgs, problems: Problems) -> VaultPlan:
    """Check every cross-field rule and plan the resources.

    Records every problem in ``problems`` and returns a plan that must not be
    used unless ``problems`` stays empty. The deploying identity's own MANAGE
    (``deployerAcl``) is added by ``keep_deployer`` once the workspace names it.
    """
    named = _check_provider_names(args, problems)
    key_vault, unity_catalog = _check_backend(args, problems)
    _check_api_keys(args, problems)
    _check_principals(args, problems)
    _check_rotation_warning_days(args, problems)
    if args.adopt and args.unique_suffix:
        problems.add(
            "adopt",
            "cannot be used with uniqueSuffix: a new suffix names nothing that exists yet; "
            "adopt with uniqueSuffix false (names as they are in the workspace)",
        )
    users_manage = any(rules.principal_identity(p) == rules.WORKSPACE_USERS for p in args.managers)
    if args.adopt and users_manage and not args.workspace_users_acl and args.backend is not Backend.UNITY_CATALOG:
        problems.add(
            "adopt",
            "adopts MANAGE for 'users' as an ACL of its own (an existing scope's "
            "initial_manage_principal cannot be read back): set workspaceUsersAcl to true and keep it "
            "after adopt is removed, or the next update would replace the scope",
        )
    expirations = _check_expirations(args, problems)
    uc = args.backend is Backend.UNITY_CATALOG
    scopes = () if uc else _plan_scopes(name, args, named, problems)
    secrets = _plan_uc_secrets(name, args, named, problems) if uc else _plan_secrets(name, args, scopes, problems)
    secrets = tuple(
        replace(
            s, expires_at=expirations.get(s.provider_index), import_id=_secret_import_id(s, key_vault, unity_catalog)
        )
        for s in secrets
    )
    _check_env_var_names(secrets, args, named, problems)
    _check_limits(args.backend, scopes, secrets, problems)
    if uc:
        grants = _plan_uc_grants(args, secrets)
        usage = _plan_usage(name, grants, unity_catalog) if unity_catalog and unity_catalog.grant_usage else ()
    else:
        grants, usage = _plan_grants(name, args, scopes), ()
    carried = (
        set()
        if uc or args.adopt or args.workspace_users_acl
        else {
            g.scope
            for g in grants
            if rules.principal_identity(g.principal) == rules.WORKSPACE_USERS and g.permission == MANAGE
        }
    )
    return VaultPlan(
        name=name,
        backend=args.backend,
        scopes=tuple(
            ScopePlan(s.name, s.resource_name, s.providers, rules.WORKSPACE_USERS) if s.name in carried else s
            for s in scopes
        ),
        secrets=secrets,
        grants=grants,
        key_vault=key_vault,
        suffix_resource_name=f"{name}-suffix" if args.unique_suffix else None,
        unity_catalog=unity_catalog,
        usage=usage,
        rotation_warning_days=args.rotation_warning_days,
        adopt=args.adopt,
        schema_resource_name=f"{name}-schema" if unity_catalog and unity_catalog.create_schema else None,
        deployer_acl=args.deployer_acl and not uc,
        secret_grants=_plan_secret_grants(name, secrets, grants, unity_catalog) if uc and unity_catalog else (),
    )


def keep_deployer(args: LlmKeyVaultArgs, plan: VaultPlan, deployer: str) -> VaultPlan:
    """``plan``, checked by ``check_inputs``, with the deploying identity's own MANAGE added once
    the workspace has named it, without planning the vault again. Raises ``InvalidInput`` when
    the deployer is listed at a lower level."""
    problems = Problems()
    kept = _deployer_kept(args, deployer, problems) if plan.needs_deployer else None
    problems.raise_if_any()
    if kept is None:
        return plan
    return replace(plan, grants=_with_deployer(plan.name, args, plan.scopes, plan.grants, kept))


def _deployer_kept(args: LlmKeyVaultArgs, deployer: str, problems: Problems) -> str | None:
    """The deploying identity that needs a MANAGE ACL of its own, or None when it is a manager already.

    Like terraform-provider-databricks' lock-out prevention for secret ACLs (v1.106.0): a
    non-admin deployer that plans itself out of MANAGE could not rotate a key or change an
    ACL on the next update, nor delete the scope on ``destroy``.
    """
    if not deployer.strip():
        return None
    identity = rules.principal_identity(deployer)
    if identity in {rules.principal_identity(p) for p in args.managers}:
        return None  # a manager already, by name
    # 'users' among the managers does not count: its ACL is deleted beside the keys on destroy
    # (and moved off MANAGE in an adoption's step 4), which would leave the deployer without rights.
    listed = [(f"{field}[{j}]", p) for field in ("readers", "writers") for j, p in enumerate(getattr(args, field))]
    listed += [
        (f"providers[{i}].readers[{j}]", r) for i, p in enumerate(args.providers) for j, r in enumerate(p.readers)
    ]
    for path, principal in listed:
        if rules.principal_identity(principal) == identity:
            problems.add(
                path,
                f"'{principal}' is the deploying identity (the databricks provider's current user), which keeps "
                "MANAGE on every scope so that it can rotate keys and change ACLs later (deployerAcl); "
                "list it in managers, or set deployerAcl to false",
            )
    return deployer


def _with_deployer(
    name: str, args: LlmKeyVaultArgs, scopes: Sequence[ScopePlan], grants: tuple[GrantPlan, ...], deployer: str
) -> tuple[GrantPlan, ...]:
    added = [
        GrantPlan(
            scope.name,
            deployer,
            MANAGE,
            (f"{name}-acl-{scope.providers[0]}/" if args.scope_per_provider else f"{name}-acl-") + deployer,
            after_imports=True,
        )
        for scope in scopes
    ]
    return tuple(sorted((*grants, *added), key=lambda g: (g.scope, g.principal, g.permission)))


K = TypeVar("K", bound=Hashable)


def _earlier(seen: dict[K, int], identity: K, index: int) -> int | None:
    """The index that first had ``identity``, or None when ``index`` is the first."""
    first = seen.setdefault(identity, index)
    return None if first == index else first


def _refuse_plain_field(value: str, path: str, problems: Problems, origin: str = "") -> bool:
    """Refuse a plain field's value that must not be stored at all: key material or hidden characters."""
    refused = rules.plain_value_problem(value)
    if refused is not None:
        problems.add(path, origin + refused.message, withhold_value=refused.withhold_value)
    return refused is not None


def _check_provider_names(args: LlmKeyVaultArgs, problems: Problems) -> set[int]:
    """Check each provider id; return the indexes whose id is usable."""
    seen: dict[str, int] = {}
    named: set[int] = set()
    for i, provider in enumerate(args.providers):
        path = f"providers[{i}].name"
        if provider is UNREADABLE_PROVIDER or problems.has(path):
            continue  # refused by the type reader already
        if _refuse_plain_field(provider.name, path, problems):
            continue
        if (problem := rules.provider_name_problem(provider.name)) is not None:
            problems.add(path, problem)
        elif (earlier := _earlier(seen, provider.name, i)) is not None:
            problems.add(
                path, f"{rules.quoted(provider.name)} is already providers[{earlier}]; provider names must be unique"
            )
        else:
            named.add(i)
    return named


def _check_backend(args: LlmKeyVaultArgs, problems: Problems) -> tuple[KeyVaultPlan | None, UnityCatalogPlan | None]:
    if problems.has("backend"):
        return None, None  # an unknown backend: which fields belong with it cannot be said
    if args.backend is not Backend.UNITY_CATALOG:
        if args.unity_catalog is not None:
            problems.add("unityCatalog", "is only used with backend 'unity-catalog'; remove it or set backend")
        if args.referencers:
            problems.add(
                "referencers",
                "is only used with backend 'unity-catalog' (REFERENCE_SECRET on a UC secret); "
                "secret scopes have no such level: use readers",
            )
    if args.backend is Backend.UNITY_CATALOG:
        return None, _check_unity_catalog(args, problems)
    if args.backend is Backend.DATABRICKS:
        if args.key_vault is not None:
            problems.add("keyVault", "is only used with backend 'azure-keyvault'; remove it or set backend")
        return None, None
    return _check_key_vault(args, problems), None


def _check_unity_catalog(args: LlmKeyVaultArgs, problems: Problems) -> UnityCatalogPlan | None:
    for field, given in (
        ("scopeName", args.scope_name is not None),
        ("scopePerProvider", args.scope_per_provider),
        ("keyVault", args.key_vault is not None),
    ):
        if given:
            problems.add(
                field,
                "is not used with backend 'unity-catalog': UC secrets live in unityCatalog.schema and are "
                "granted one by one; remove it",
            )
    if args.unity_catalog is None:
        if not problems.has("unityCatalog"):
            problems.add(
                "unityCatalog", "is required with backend 'unity-catalog': give the catalog and schema of the secrets"
            )
        return None
    return plan_unity_catalog(args.unity_catalog, "unityCatalog", problems)


def _check_key_vault(args: LlmKeyVaultArgs, problems: Problems) -> KeyVaultPlan | None:
    if args.scope_per_provider:
        problems.add(
            "scopePerProvider",
            "cannot be used with backend 'azure-keyvault': a Key Vault-backed scope shows every secret "
            "of its vault, so per-provider scopes would not isolate keys; use the databricks backend",
        )
    if args.key_vault is None:
        if not problems.has("keyVault"):
            problems.add("keyVault", "is required with backend 'azure-keyvault': give the vault's resourceId")
        return None
    return plan_key_vault(args.key_vault, "keyVault", problems)


def _check_api_keys(args: LlmKeyVaultArgs, problems: Problems) -> None:
    """A key known now must fit its backend; one still unknown is checked when known."""
    for i, provider in enumerate(args.providers):
        if isinstance(provider.api_key, str):
            problem = rules.api_key_problem(provider.api_key, args.backend.value)
            if problem is not None:
                problems.add(f"providers[{i}].apiKey", problem)


def _refuse_principal(principal: str, path: str, allow_everyone: bool, problems: Problems) -> bool:
    if _refuse_plain_field(principal, path, problems):
        return True
    problem = rules.principal_problem(principal, allow_everyone)
    if problem is not None:
        problems.add(path, problem)
    return problem is not None


def _same_as(principal: str, earlier_principal: str) -> str:
    return (
        ""
        if principal == earlier_principal
        else f" as {rules.quoted(earlier_principal)} (principals ignore letter case)"
    )


def _accepted_principals(
    listed: Sequence[str], field: str, args: LlmKeyVaultArgs, problems: Problems
) -> Iterable[tuple[str, str, str]]:
    """``(path, principal, identity)`` of each principal of ``field`` that passes the single-value rules."""
    for j, principal in enumerate(listed):
        path = f"{field}[{j}]"
        if not problems.has(path) and not _refuse_principal(principal, path, args.allow_workspace_users, problems):
            yield path, principal, rules.principal_identity(principal)


def _check_principals(args: LlmKeyVaultArgs, problems: Problems) -> None:
    level_of: dict[str, tuple[str, str]] = {}  # identity -> (path, spelling)
    for field in PRINCIPAL_FIELDS:
        for path, principal, identity in _accepted_principals(getattr(args, field), field, args, problems):
            earlier = level_of.setdefault(identity, (path, principal))
            if earlier[0] == path:
                continue
            shown = f"{rules.quoted(principal)} is"
            if earlier[0].startswith(field + "["):
                problems.add(path, f"{shown} listed twice (also {earlier[0]}{_same_as(principal, earlier[1])})")
            else:
                problems.add(
                    path,
                    f"{shown} also {earlier[0]}{_same_as(principal, earlier[1])}; a principal gets one level "
                    "per scope, list it once at the level it needs",
                )
    for i, provider in enumerate(args.providers):
        if not provider.readers:
            continue
        if not args.scope_per_provider and args.backend is not Backend.UNITY_CATALOG:
            problems.add(
                f"providers[{i}].readers",
                "needs scopePerProvider: true; Databricks ACLs apply to a whole scope, so per-provider "
                "readers need a scope per provider (or list them in readers for every scope)",
            )
            continue
        own: dict[str, str] = {}
        for path, principal, identity in _accepted_principals(
            provider.readers, f"providers[{i}].readers", args, problems
        ):
            if (twice := own.setdefault(identity, path)) != path:
                problems.add(path, f"{rules.quoted(principal)} is listed twice (also {twice})")
                continue
            found = level_of.get(identity)
            if found is not None and found[0].startswith("readers["):
                problems.add(
                    path,
                    f"{rules.quoted(principal)} already reads every scope ({found[0]}{_same_as(principal, found[1])})",
                )
            elif found is not None:
                problems.add(
                    path,
                    f"{rules.quoted(principal)} is also {found[0]}{_same_as(principal, found[1])}; "
                    "a principal gets one level per scope",
                )


def _plan_scopes(name: str, args: LlmKeyVaultArgs, named: set[int], problems: Problems) -> tuple[ScopePlan, ...]:
    """The scopes, each planned even when its name is refused, so that secrets are still checked."""
    base = args.scope_name if args.scope_name is not None else name
    origin = "" if args.scope_name is not None else f"defaults to the resource name {rules.quoted(name)}, but "
    suffix = rules.SUFFIX_LENGTH if args.unique_suffix else 0
    planned: list[tuple[str, str, tuple[str, ...]]]
    if args.scope_per_provider:
        planned = [
            (f"{base}-{p.name}", f"{name}-scope-{p.name}", (p.name,))
            for i, p in enumerate(args.providers)
            if i in named
        ]
    else:
        planned = [(base, f"{name}-scope", tuple(p.name for i, p in enumerate(args.providers) if i in named))]
    if not problems.has("scopeName"):
        _refuse_plain_field(base, "scopeName", problems, origin)
    for scope_name, _resource_name, _providers in planned:
        if problems.has("scopeName"):
            break  # one reason is enough: every scope name starts with the same prefix
        problem, with_suffix = rules.name_problem(scope_name, scope=True), ""
        if problem is None and suffix:
            problem, with_suffix = (
                rules.name_problem(scope_name, suffix, scope=True),
                f" with {rules.SUFFIX_DESCRIPTION}",
            )
        if problem is not None:
            problems.add(
                "scopeName",
                f"{origin}{rules.quoted(scope_name)} is not a valid scope name{with_suffix}: {problem}; set scopeName",
            )
    return tuple(ScopePlan(s, r, p, None) for s, r, p in planned)


def _plan_secrets(
    name: str, args: LlmKeyVaultArgs, scopes: Sequence[ScopePlan], problems: Problems
) -> tuple[SecretPlan, ...]:
    scope_of = {provider: scope.name for scope in scopes for provider in scope.providers}
    key_vault = args.backend is Backend.AZURE_KEY_VAULT
    suffix = rules.SUFFIX_LENGTH if key_vault and args.unique_suffix else 0
    seen: dict[tuple[str, str], int] = {}
    secrets: list[SecretPlan] = []
    for i, provider in enumerate(args.providers):
        scope = scope_of.get(provider.name)
        path = f"providers[{i}].secretKey"
        given = provider.secret_key is not None
        if scope is None and not given:
            continue  # derived from a refused name, which is reported on its own field
        key = provider.secret_key if provider.secret_key is not None else default_secret_key(provider.name)
        if problems.has(path):
            continue
        if given and _refuse_plain_field(key, path, problems):
            continue
        problem = rules.name_problem(key)
        if problem is not None:
            problems.add(path, f"{rules.quoted(key)} is not a valid secret key: {problem}")
            continue
        if key_vault and (kv_problem := rules.key_vault_secret_name_problem(key, suffix)) is not None:
            problems.add(path, kv_problem)
            continue
        if scope is None:
            continue  # its provider's name was refused: the key's own shape is all there is to check
        # Key Vault secret names are case-insensitive; Databricks keys are not.
        identity = (scope, key.lower() if key_vault else key)
        if (earlier := _earlier(seen, identity, i)) is not None:
            problems.add(
                path, f"{rules.quoted(key)} is already the key of providers[{earlier}] in scope {rules.quoted(scope)}"
            )
            continue
        secrets.append(
            _secret_plan(name, provider, i, scope, key, _secret_resource_name(name, args, provider.name, key))
        )
    return tuple(secrets)


def _secret_plan(
    name: str, provider: ProviderKeyArgs, index: int, scope: str, key: str, resource_name: str
) -> SecretPlan:
    former = f"{name}-secret-{provider.name}"
    return SecretPlan(
        provider.name,
        index,
        scope,
        key,
        _env_var(provider),
        resource_name,
        former_resource_name=former,
        external=provider.external,
    )


def _secret_import_id(
    secret: SecretPlan, key_vault: KeyVaultPlan | None, unity_catalog: UnityCatalogPlan | None
) -> str | None:
    """The provider id by which an adoption imports the secret; None when no child holds it."""
    if secret.external:
        return None
    if unity_catalog is not None:
        return unity_catalog.full_name(secret.key)
    if key_vault is not None:
        return f"{key_vault.resource_id}/secrets/{secret.key}"
    return scoped_id(secret.scope, secret.key)


def _env_var(provider: ProviderKeyArgs) -> str:
    """The environment variable a provider's key is exported as: its own, or the catalog's default."""
    return provider.env_var_name if provider.env_var_name is not None else default_env_var_name(provider.name)


def _check_env_var_names(
    secrets: Sequence[SecretPlan], args: LlmKeyVaultArgs, named: set[int], problems: Problems
) -> None:
    seen: dict[str, int] = {}
    for i, provider in enumerate(args.providers):
        path = f"providers[{i}].envVarName"
        if problems.has(path):
            continue
        if provider.env_var_name is None and i not in named:
            continue  # derived from a refused name, which is reported on its own field
        if provider.env_var_name is not None and _refuse_plain_field(provider.env_var_name, path, problems):
            continue
        env_var = _env_var(provider)
        if (problem := rules.env_var_name_problem(env_var)) is not None:
            problems.add(path, problem)
        elif (earlier := _earlier(seen, env_var, i)) is not None:
            problems.add(
                path,
                f"{rules.quoted(env_var)} is already the variable of providers[{earlier}]; set a distinct envVarName",
            )


def _check_rotation_warning_days(args: LlmKeyVaultArgs, problems: Problems) -> None:
    problem = rules.rotation_warning_days_problem(args.rotation_warning_days)
    if not problems.has("rotationWarningDays") and problem is not None:
        problems.add("rotationWarningDays", problem)


def _check_expirations(args: LlmKeyVaultArgs, problems: Problems) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for i, provider in enumerate(args.providers):
        path = f"providers[{i}].expiresAt"
        if provider.expires_at is None or problems.has(path):
            continue
        instant = parse_expiry(provider.expires_at)
        if instant is None:
            problems.add(path, expiry_problem(provider.expires_at) or "is not an RFC 3339 date-time")
        else:
            found[i] = instant
    return found


def _plan_uc_secrets(name: str, args: LlmKeyVaultArgs, named: set[int], problems: Problems) -> tuple[SecretPlan, ...]:
    suffix = rules.SUFFIX_LENGTH if args.unique_suffix else 0
    seen: dict[str, int] = {}
    secrets: list[SecretPlan] = []
    for i, provider in enumerate(args.providers):
        path = f"providers[{i}].secretKey"
        given = provider.secret_key is not None
        if i not in named and not given:
            continue  # derived from a refused name, which is reported on its own field
        secret_name = provider.secret_key if provider.secret_key is not None else default_secret_name(provider.name)
        if problems.has(path) or (given and _refuse_plain_field(secret_name, path, problems)):
            continue
        problem = rules.uc_secret_name_problem(secret_name, suffix)
        if problem is not None:
            problems.add(path, f"{rules.quoted(secret_name)} is not a valid Unity Catalog secret name: {problem}")
            continue
        if i not in named:
            continue  # its provider's name was refused: the name's own shape is all there is to check
        # Unity Catalog stores names lower-case: two names equal ignoring case are one secret.
        if (earlier := _earlier(seen, secret_name.lower(), i)) is not None:
            problems.add(
                path,
                f"{rules.quoted(secret_name)} is already the secret of providers[{earlier}] "
                "(UC names ignore letter case)",
            )
            continue
        secrets.append(
            _secret_plan(name, provider, i, "", secret_name, _uc_secret_resource_name(name, args, secret_name))
        )
    return tuple(secrets)


def _plan_uc_grants(args: LlmKeyVaultArgs, secrets: Sequence[SecretPlan]) -> tuple[GrantPlan, ...]:
    everywhere = [(p, level.privilege) for level in LEVELS for p in getattr(args, level.field)]
    grants = [
        GrantPlan("", principal, privilege, None, secret.provider)
        for secret in secrets
        for principal, privilege in everywhere
        + [(p, READ_SECRET) for p in args.providers[secret.provider_index].readers]
    ]
    return tuple(sorted(grants, key=lambda g: (g.provider, g.principal, g.permission)))


def _plan_secret_grants(
    name: str, secrets: Sequence[SecretPlan], grants: Sequence[GrantPlan], uc: UnityCatalogPlan
) -> tuple[SecretGrantsPlan, ...]:
    """Each UC secret's grants, named like the secret by its identity, with every privilege on it;
    an external secret's by principal."""
    privileges: dict[str, dict[str, list[str]]] = {}  # provider -> principal -> privileges
    for grant in grants:
        privileges.setdefault(grant.provider, {}).setdefault(grant.principal, []).append(grant.permission)
    return tuple(
        SecretGrantsPlan(
            secret.provider,
            f"{name}-grants/{secret.resource_name.partition('/')[2]}",
            f"{name}-grants-{secret.provider}",  # the 0.2.0 name, by provider
            tuple((principal, tuple(held)) for principal, held in privileges[secret.provider].items()),
            f"secret/{uc.full_name(secret.key)}",
            per_principal=secret.external,
        )
        for secret in secrets
        if secret.provider in privileges
    )


def _plan_usage(name: str, grants: Sequence[GrantPlan], uc: UnityCatalogPlan) -> tuple[UsagePlan, ...]:
    """USE_CATALOG and USE_SCHEMA for every principal granted something on a secret."""
    spellings: dict[str, set[str]] = {}  # identity -> every spelling given
    for grant in grants:
        spellings.setdefault(rules.principal_identity(grant.principal), set()).add(grant.principal)
    usage: list[UsagePlan] = []
    # A Grant is named after the principal's identity, not its spelling: renaming it would delete
    # the old Grant after creating the new one, and deleting a Grant revokes every privilege of
    # its principal there. Of several spellings (only several providers' readers can differ), the
    # least, so that the order of the providers changes nothing.
    for identity in sorted(spellings):
        principal = min(spellings[identity])
        usage.append(UsagePlan("catalog", uc.catalog, principal, USE_CATALOG, f"{name}-use-catalog-{identity}"))
        usage.append(UsagePlan("schema", uc.schema_full_name, principal, USE_SCHEMA, f"{name}-use-schema-{identity}"))
    return tuple(usage)


def _check_limits(
    backend: Backend, scopes: Sequence[ScopePlan], secrets: Sequence[SecretPlan], problems: Problems
) -> None:
    if backend is Backend.UNITY_CATALOG:
        if len(secrets) > rules.MAX_SECRETS_PER_UC_SCHEMA:
            problems.add(
                "providers",
                f"puts {len(secrets)} secrets in one schema; a Unity Catalog schema holds at most "
                f"{rules.MAX_SECRETS_PER_UC_SCHEMA}: split the providers over several schemas",
            )
        return
    per_scope: dict[str, int] = {}
    for secret in secrets:
        per_scope[secret.scope] = per_scope.get(secret.scope, 0) + 1
    for scope, count in per_scope.items():
        if count > rules.MAX_SECRETS_PER_SCOPE:
            problems.add(
                "providers",
                f"puts {count} keys in scope {rules.quoted(scope)}; a Databricks scope holds at most "
                f"{rules.MAX_SECRETS_PER_SCOPE} secrets: split the providers over several vaults",
            )
    if len(scopes) > rules.MAX_SCOPES_PER_WORKSPACE:
        problems.add(
            "providers",
            f"would make {len(scopes)} scopes; a Databricks workspace holds at most "
            f"{rules.MAX_SCOPES_PER_WORKSPACE}: turn scopePerProvider off or split the providers",
        )


def _listed_grants(args: LlmKeyVaultArgs) -> Iterable[tuple[str, str]]:
    for level in LEVELS:
        if level.permission is not None:  # referencers: Unity Catalog only, refused on scopes
            for principal in getattr(args, level.field):
                yield principal, level.permission


def _plan_grants(name: str, args: LlmKeyVaultArgs, scopes: Sequence[ScopePlan]) -> tuple[GrantPlan, ...]:
    everywhere = list(_listed_grants(args))
    extra_readers = {p.name: tuple(p.readers) for p in args.providers}
    grants: list[GrantPlan] = []
    for scope in scopes:
        listed = everywhere
        prefix = f"{name}-acl-"
        if args.scope_per_provider:
            listed = everywhere + [(principal, READ) for principal in extra_readers[scope.providers[0]]]
            prefix = f"{name}-acl-{scope.providers[0]}/"
        for principal, permission in listed:
            # On Standard-tier workspaces the only ACL a scope can have is MANAGE for
            # 'users', and only as initial_manage_principal, so that is how it is set.
            # An adopted scope cannot carry it (it is never read back, and changing it
            # replaces the scope), so there MANAGE for 'users' is an ACL of its own, and
            # stays one after adopt is removed (workspaceUsersAcl, required with adopt).
            #
            # The scope ignores later changes of initial_manage_principal (the databricks provider
            # replaces a scope on any change of it, deleting every key, external ones included), so
            # MANAGE for 'users' is always an ACL of its own too: giving it, or taking it away,
            # after the scope exists updates that ACL alone. A new scope is still created with
            # initial_manage_principal ('carried' in ``plan_vault``).
            named = prefix + rules.principal_identity(principal)
            grants.append(GrantPlan(scope.name, principal, permission, named, former_resource_name=prefix + principal))
    return tuple(sorted(grants, key=lambda g: (g.scope, g.principal, g.permission)))


# Children are named by what they are in the workspace, not by the input that named them:
# a secret by its key (in its scope, or vault, or schema), an ACL by its principal as
# Databricks compares principals (without case). Renaming a provider that keeps its key,
# moving a key from a removed provider to another, swapping two providers' keys or
# respelling a principal then leaves each child's URN as it was, so the engine updates it
# in place instead of creating a new child and deleting the old one, which is the same
# object. Where the workspace ignores letter case (Key Vault and Unity Catalog names),
# the name is folded, and the child ignores a change of case alone (``children.py``).

#: ends a secret's identity when the created name carries the unique suffix
SUFFIX_MARK = "<suffix>"


def _secret_resource_name(name: str, args: LlmKeyVaultArgs, provider: str, key: str) -> str:
    """A Databricks secret: by scope and key (keys are case-sensitive); a Key Vault secret:
    by its name without case, marked when it carries the unique suffix."""
    if args.backend is Backend.AZURE_KEY_VAULT:
        mark = f"-{SUFFIX_MARK}" if args.unique_suffix else ""
        return f"{name}-secret/{key.lower()}{mark}"
    if args.scope_per_provider:
        return f"{name}-secret-{provider}/{key}"  # the provider's own scope, <name>-scope-<provider>
    return f"{name}-secret/{key}"


def _uc_secret_resource_name(name: str, args: LlmKeyVaultArgs, secret: str) -> str:
    """A UC secret: by its name without case (UC folds names), marked when suffixed. The
    catalog and schema are left out: a secret in another schema is replaced as before."""
    mark = f"{rules.UC_SUFFIX_SEPARATOR}{SUFFIX_MARK}" if args.unique_suffix else ""
    return f"{name}-secret/{secret.lower()}{mark}"
