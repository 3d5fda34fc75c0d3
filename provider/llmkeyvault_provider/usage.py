"""What a usage grant gives: what its principal holds already, plus USE_CATALOG or USE_SCHEMA.

A ``databricks.Grant`` is authoritative for its principal on its securable: creating or
updating it sets that principal's whole list of direct privileges there and removes the rest
(terraform-provider-databricks ``catalog/resource_grant.go``,
``replacePermissionsForPrincipal``). So before registering the usage grants, the component
reads what each listed principal holds directly on the catalog and on the schema, and gives
its Grant the union: nothing is removed, a later update reads the same union (no diff), and
the Grants are retained on delete, so a destroy leaves the principal as it was found, with
USE_CATALOG / USE_SCHEMA added.

pulumi-databricks has no data source that reads grants, so the read goes to the Unity
Catalog permissions API (``GET /api/2.1/unity-catalog/permissions/{type}/{full_name}``)
through the official databricks-sdk, with the credentials the stack's default databricks
provider would use: its ``databricks:*`` configuration (which the engine passes to the
component) and then the SDK's unified authentication (environment, ``~/.databrickscfg``).
Where it cannot read (no credentials, permission denied, an explicit databricks provider
whose configuration the component cannot see), it refuses before anything is registered,
naming ``unityCatalog.grantUsage``, the principals and the securables, and the SQL that
adds the privilege instead.

The read is made with the SDK's own client (``api_client.do``) rather than ``grants.get``:
databricks-sdk 0.167.0 drops privileges its ``Privilege`` enum does not know
(``_repeated_enum``), and a privilege dropped from the read would be removed by the Grant.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from . import rules
from .errors import Problems
from .plandata import UsagePlan, VaultPlan

#: the input that asks for the usage grants: every refusal here names it
PATH = "unityCatalog.grantUsage"
#: SQL spelling of each usage privilege (the Grant takes '_' for ' ')
SQL_PRIVILEGE = {"USE_CATALOG": "USE CATALOG", "USE_SCHEMA": "USE SCHEMA"}
#: how long the read may take with the SDK's retries, in seconds
READ_TIMEOUT_SECONDS = 120
#: longest message from the workspace quoted in a refusal
MAX_REASON = 200

#: pulumi-databricks provider configuration key -> databricks-sdk ``Config`` attribute
#: (pulumi-databricks 1.118.0 ``config/vars.py``; databricks-sdk 0.167.0 ``config.py``)
CONFIG_KEYS: dict[str, str] = {
    "host": "host",
    "token": "token",
    "profile": "profile",
    "configFile": "config_file",
    "authType": "auth_type",
    "accountId": "account_id",
    "clientId": "client_id",
    "clientSecret": "client_secret",
    "username": "username",
    "password": "password",
    "azureClientId": "azure_client_id",
    "azureClientSecret": "azure_client_secret",
    "azureTenantId": "azure_tenant_id",
    "azureWorkspaceResourceId": "azure_workspace_resource_id",
    "azureEnvironment": "azure_environment",
    "googleServiceAccount": "google_service_account",
    "googleCredentials": "google_credentials",
}
#: the configuration values that are credentials: never quoted, and scrubbed from any message
CREDENTIAL_ATTRIBUTES = frozenset({"token", "client_secret", "password", "azure_client_secret", "google_credentials"})

#: environment variables of databricks-sdk's unified authentication that hold credentials
CREDENTIAL_ENVIRONMENT = (
    "DATABRICKS_TOKEN",
    "DATABRICKS_CLIENT_SECRET",
    "DATABRICKS_PASSWORD",
    "ARM_CLIENT_SECRET",
    "DATABRICKS_AZURE_CLIENT_SECRET",
    "GOOGLE_CREDENTIALS",
)

#: one securable's direct privilege assignments: (principal, privileges)
Assignments = list[tuple[str, list[str]]]
#: reads the direct privilege assignments on ``(securable type, full name)``; ``[]`` when it does not exist
GrantsReader = Callable[[str, str], Assignments]


class CannotRead(Exception):
    """The grants could not be read; ``reason`` is safe to show (no credential in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def stack_databricks_config(get: Callable[[str], Any]) -> dict[str, str]:
    """The databricks-sdk ``Config`` arguments set by the stack's ``databricks:*`` configuration."""
    found: dict[str, str] = {}
    for key, attribute in CONFIG_KEYS.items():
        value = get(f"databricks:{key}")
        if isinstance(value, str) and value:
            found[attribute] = value
    return found


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for value in secrets:
        if value:
            text = text.replace(value, "***")
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


def workspace_reader(settings: Mapping[str, str]) -> GrantsReader:
    """A reader through databricks-sdk with ``settings`` and its unified authentication.

    Raises CannotRead when the SDK finds no credentials it can use. Imported here, only when
    there are usage grants to plan: importing databricks-sdk loads every service module of it,
    seconds that a provider start without usage grants does not pay."""
    from databricks.sdk.config import Config
    from databricks.sdk.core import ApiClient
    from databricks.sdk.errors import NotFound, PermissionDenied, Unauthenticated

    secrets = [v for k, v in settings.items() if k in CREDENTIAL_ATTRIBUTES]
    secrets += [os.environ.get(name, "") for name in CREDENTIAL_ENVIRONMENT]
    try:
        arguments: dict[str, Any] = {**settings, "retry_timeout_seconds": READ_TIMEOUT_SECONDS}
        config = Config(**arguments)
        client = ApiClient(config)
    except Exception as error:  # the SDK raises ValueError for "cannot configure default credentials"
        raise CannotRead(f"no Databricks credentials the component can use ({_scrub(str(error), secrets)})") from None

    def read(securable: str, full_name: str) -> Assignments:
        path = f"/api/2.1/unity-catalog/permissions/{securable}/{quote(full_name, safe='')}"
        query: dict[str, Any] = {"max_results": 0}
        found: Assignments = []
        try:
            while True:
                page = client.do("GET", path, query=query, headers={"Accept": "application/json"})
                if not isinstance(page, dict):
                    raise CannotRead("the workspace answered with something other than a list of grants")
                for a in page.get("privilege_assignments") or []:
                    found.append((str(a.get("principal", "")), [str(p) for p in a.get("privileges") or []]))
                token = page.get("next_page_token")
                if not token:
                    return found
                query["page_token"] = token
        except NotFound as error:
            # A catalog or schema that does not exist yet (CATALOG_DOES_NOT_EXIST,
            # SCHEMA_DOES_NOT_EXIST): nobody holds anything on it. Any other 404 (a host that is
            # not a Unity Catalog workspace, a proxy) says nothing about what is held.
            if str(getattr(error, "error_code", "") or "").endswith("DOES_NOT_EXIST"):
                return []
            raise CannotRead(
                f"not found, with no answer about {securable} '{full_name}' ({_scrub(str(error), secrets)})"
            ) from None
        except PermissionDenied as error:
            raise CannotRead(f"permission denied ({_scrub(str(error), secrets)})") from None
        except Unauthenticated as error:
            raise CannotRead(f"the credentials were refused ({_scrub(str(error), secrets)})") from None
        except CannotRead:
            raise
        except Exception as error:
            raise CannotRead(f"{type(error).__name__}: {_scrub(str(error), secrets)}") from None

    return read


def _name(principal: str, secret: bool) -> str:
    """A principal as a refusal names it: quoted, or a digest of it when it arrived secret."""
    if secret:
        digest = hashlib.sha256(rules.principal_identity(principal).encode()).hexdigest()[:16]
        return f"a principal given as a secret (sha256 {digest})"
    return rules.quoted(principal)


def _sql(usage: UsagePlan, secret: bool) -> str:
    principal = "<principal>" if secret else usage.principal.replace("`", "``")
    return f"GRANT {SQL_PRIVILEGE[usage.privilege]} ON {usage.securable.upper()} {usage.name} TO `{principal}`"


def refusal(
    usage: Sequence[UsagePlan], reason: str, secret_principals: bool, failed: tuple[str, str] | None = None
) -> str:
    """Why the usage grants are refused, and exactly how to proceed. ``failed`` is the
    (securable type, name) whose read failed; None when nothing could be read at all."""
    principals = sorted({u.principal for u in usage})
    securables = list(
        dict.fromkeys(f"{u.securable} '{u.name}'" for u in usage if failed in (None, (u.securable, u.name)))
    )
    names = ", ".join(_name(p, secret_principals) for p in principals)
    statements = "; ".join(dict.fromkeys(_sql(u, secret_principals) for u in usage))
    return (
        f"what {names} already hold{'s' if len(principals) == 1 else ''} on {' and '.join(securables)} could not "
        f"be read: {reason}. A databricks Grant sets all of a principal's privileges on its securable, so "
        "without that read it would remove the others. Give the component Databricks credentials that can "
        "read the grants there (the stack's databricks:* configuration, DATABRICKS_HOST and DATABRICKS_TOKEN, "
        "or a profile), or set unityCatalog.grantUsage to false and grant in SQL, which adds rather than "
        f"replaces: {statements}"
    )


def held_privileges(
    plan: VaultPlan, read: GrantsReader | None, secret_principals: bool, why_not: str = ""
) -> tuple[dict[str, list[str]], Problems]:
    """Each usage grant's privileges (by resource name): what its principal holds directly there, plus its own.

    ``read`` is None when there is nothing to read with (``why_not`` says why): then every usage
    grant is refused."""
    problems = Problems()
    privileges: dict[str, list[str]] = {}
    if not plan.usage:
        return privileges, problems
    if read is None:
        problems.add(PATH, refusal(plan.usage, why_not, secret_principals))
        return privileges, problems
    held: dict[tuple[str, str], dict[str, set[str]]] = {}  # (securable, name) -> principal identity -> privileges
    for securable, name in dict.fromkeys((u.securable, u.name) for u in plan.usage):
        try:
            assignments = read(securable, name)
        except CannotRead as error:
            problems.add(PATH, refusal(plan.usage, error.reason, secret_principals, (securable, name)))
            return privileges, problems
        on: dict[str, set[str]] = {}
        for principal, privs in assignments:
            on.setdefault(rules.principal_identity(principal), set()).update(privs)
        held[(securable, name)] = on
    for usage in plan.usage:
        existing = held[(usage.securable, usage.name)].get(rules.principal_identity(usage.principal), set())
        privileges[usage.resource_name] = sorted(existing | {usage.privilege})
    return privileges, problems


def _stack_config(key: str) -> Any:
    import pulumi.runtime.config

    return pulumi.runtime.config.get_config(key)


#: makes the reader from the stack's settings; tests put a workspace of their own here
make_reader: Callable[[Mapping[str, str]], GrantsReader] = workspace_reader


def usage_privileges(
    plan: VaultPlan, explicit_provider: bool, secret_principals: bool
) -> tuple[dict[str, list[str]], Problems]:
    """``held_privileges`` read with the credentials of the provider the usage grants will use.

    With an explicit databricks provider the component sees only a reference to it, not its
    configuration, so it cannot know that what it reads is that provider's workspace: refused."""
    if not plan.usage:
        return {}, Problems()
    if explicit_provider:
        why = (
            "the component's databricks resources use an explicit provider, whose configuration (workspace "
            "and credentials) the component cannot see"
        )
        return held_privileges(plan, None, secret_principals, why)
    try:
        read = make_reader(stack_databricks_config(_stack_config))
    except CannotRead as error:
        return held_privileges(plan, None, secret_principals, error.reason)
    return held_privileges(plan, read, secret_principals)
