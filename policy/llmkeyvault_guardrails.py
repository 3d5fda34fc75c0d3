"""The rules of the ``llmkeyvault-guardrails`` policy pack, free of the policy SDK.

Each rule is a ``Rule``: a name, a default enforcement level, a description that
says how to comply, and a ``validate(args, report)`` function. ``__main__.py``
turns them into ``pulumi_policy.ResourceValidationPolicy`` objects; the tests call
``validate`` directly. ``args`` is anything shaped like
``pulumi_policy.ResourceValidationArgs`` (``resource_type``, ``props`` with the
resource's inputs under their schema names, ``urn``, ``name``,
``opts.parent``, ``opts.delete_before_replace``).

A violation message names the resource and the property, and says what to do.
It never contains a property's value: the inputs checked here are API keys.

Type tokens and property names are those of pulumi-databricks 1.118.0 and
pulumi-azure-native 3.29.0 (``tests/test_policy.py`` checks them against the
typed SDKs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

VAULT_TYPE = "llmkeyvault:index:LlmKeyVault"

SECRET_SCOPE = "databricks:index/secretScope:SecretScope"
SECRET = "databricks:index/secret:Secret"
SECRET_ACL = "databricks:index/secretAcl:SecretAcl"
SECRET_UC = "databricks:index/secretUc:SecretUc"
GRANTS = "databricks:index/grants:Grants"
GRANT = "databricks:index/grant:Grant"
MODEL_SERVING = "databricks:index/modelServing:ModelServing"
AI_GATEWAY_PROVIDER = "databricks:index/aiGatewayModelProviderService:AiGatewayModelProviderService"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"

#: groups that hold every user: the workspace-local group and the account-level one (Unity Catalog)
EVERYONE = frozenset({"users", "account users"})

#: what counts as "read" for each kind of grant
SCOPE_READ = "READ"
UC_READ = "READ_SECRET"

#: names (secret keys, UC secret names, Key Vault secret names) that hold an LLM provider's key
LLM_NAME = re.compile(
    r"openai|anthropic|claude|cohere|mistral|gemini|vertex-?ai|ai21|huggingface|hugging-face|\bhf[-_]"
    r"|groq|together|bedrock|perplexity|deepseek|fireworks|\bxai\b|\bllm",
    re.IGNORECASE,
)

#: values shaped like an LLM provider's key (OpenAI and Anthropic sk-..., Hugging Face hf_...,
#: Groq gsk_...); only ever matched, never shown
KEY_SHAPE = re.compile(r"^(sk-[A-Za-z0-9_-]{8,}|hf_[A-Za-z0-9]{16,}|gsk_[A-Za-z0-9]{16,})$")

MANDATORY = "mandatory"
ADVISORY = "advisory"


class Options(Protocol):
    @property
    def parent(self) -> str | None: ...
    @property
    def delete_before_replace(self) -> bool | None: ...


class Args(Protocol):
    @property
    def resource_type(self) -> str: ...
    @property
    def props(self) -> Mapping[str, Any]: ...
    @property
    def urn(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def opts(self) -> Options: ...


Report = Callable[[str], None]


@dataclass(frozen=True)
class Rule:
    name: str
    level: str
    description: str
    resource_types: tuple[str, ...]
    validate: Callable[[Args, Report], None]


def types_in_urn(urn: str | None) -> list[str]:
    """The type chain of a URN, outermost parent first:
    ``urn:pulumi:STACK::PROJECT::Parent$Child::NAME`` gives ``[Parent, Child]``."""
    if not urn:
        return []
    parts = urn.split("::", 3)
    if len(parts) < 4:
        return []
    return parts[2].split("$")


def inside_vault(args: Args) -> bool:
    """Whether an LlmKeyVault is among the resource's ancestors (its URN carries the
    types of its parents; the parent's URN is checked too, for a resource whose
    URN was given by an alias)."""
    return VAULT_TYPE in types_in_urn(args.urn)[:-1] or VAULT_TYPE in types_in_urn(args.opts.parent)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _describe(args: Args) -> str:
    return f"{args.resource_type.rsplit(':', 1)[-1]} '{args.name}'"


# --------------------------------------------------------------------------- scope: users MANAGE


def _scope_users_manage(args: Args, report: Report) -> None:
    if inside_vault(args):
        return  # an LlmKeyVault's own grants: llmkeyvault-workspace-users
    principal = _text(args.props.get("initialManagePrincipal"))
    if principal is not None and principal.strip().lower() in EVERYONE:
        report(
            f"{_describe(args)} sets initialManagePrincipal: {principal}, which gives MANAGE on every key "
            "in the scope to every user of the workspace (read, overwrite, delete, re-grant). Remove "
            "initialManagePrincipal (the creator alone gets MANAGE) and grant READ to the groups that need "
            "the keys with databricks.SecretAcl, or use llmkeyvault.LlmKeyVault with readers/managers."
        )


# --------------------------------------------------------------------------- grants to everyone


def _grants_to_everyone(args: Args) -> Iterator[tuple[str, str, str]]:
    """(field, principal, privilege) for every grant to all users that this resource makes."""
    props = args.props
    if args.resource_type == SECRET_ACL:
        principal, permission = _text(props.get("principal")), _text(props.get("permission"))
        if principal and permission and principal.strip().lower() in EVERYONE:
            yield "permission", principal, permission.upper()
    elif args.resource_type == GRANT and props.get("secret") is not None:
        principal = _text(props.get("principal"))
        if principal and principal.strip().lower() in EVERYONE:
            for privilege in props.get("privileges") or []:
                if isinstance(privilege, str):
                    yield "privileges", principal, privilege.upper()
    elif args.resource_type == GRANTS and props.get("secret") is not None:
        for i, grant in enumerate(props.get("grants") or []):
            if not isinstance(grant, Mapping):
                continue
            principal = _text(grant.get("principal"))
            if principal and principal.strip().lower() in EVERYONE:
                for privilege in grant.get("privileges") or []:
                    if isinstance(privilege, str):
                        yield f"grants[{i}].privileges", principal, privilege.upper()


def _everyone_more_than_read(args: Args, report: Report) -> None:
    if inside_vault(args):
        return  # an LlmKeyVault's own grants: llmkeyvault-workspace-users
    for field, principal, privilege in _grants_to_everyone(args):
        if privilege not in (SCOPE_READ, UC_READ):
            report(
                f"{_describe(args)} grants {privilege} to '{principal}' ({field}): every user could then "
                "overwrite or delete the LLM keys, or grant them on. Grant WRITE/MANAGE (UC: MANAGE) only to a "
                "named admin group, and READ (UC: READ_SECRET) to the groups that use the keys."
            )


def _everyone_read(args: Args, report: Report) -> None:
    if inside_vault(args):
        return  # an LlmKeyVault's own grants: llmkeyvault-workspace-users
    for field, principal, privilege in _grants_to_everyone(args):
        if privilege in (SCOPE_READ, UC_READ):
            report(
                f"{_describe(args)} grants {privilege} to '{principal}' ({field}): every user of the workspace "
                "can read the keys. Grant READ to the groups that need them instead."
            )


# --------------------------------------------------------------------------- Secret replacement


def _secret_delete_before_replace(args: Args, report: Report) -> None:
    if args.opts.delete_before_replace is True:
        return
    report(
        f"{_describe(args)} is replaced create-before-delete: the provider writes the new value under the same "
        "scope/key and then removes that scope/key, so the key is lost by its own replacement (pulumi-databricks "
        "issue 642). Add the resource option deleteBeforeReplace: true (Python delete_before_replace=True), or "
        "use llmkeyvault.LlmKeyVault, which does."
    )


# --------------------------------------------------------------------------- LLM keys outside the component


def _stored_name_and_value(args: Args) -> tuple[str, str | None, Any]:
    """(property path of the name, the name, the value) of a stored secret."""
    props = args.props
    if args.resource_type == SECRET:
        return "key", _text(props.get("key")), props.get("stringValue")
    if args.resource_type == SECRET_UC:
        return "name", _text(props.get("name")), props.get("value")
    properties = props.get("properties")
    value = properties.get("value") if isinstance(properties, Mapping) else None
    return "secretName", _text(props.get("secretName")), value


def _llm_key_outside_vault(args: Args, report: Report) -> None:
    if inside_vault(args):
        return
    field, name, value = _stored_name_and_value(args)
    reasons = []
    if name and LLM_NAME.search(name):
        reasons.append(f"its {field} '{name}' names an LLM provider")
    if isinstance(value, str) and KEY_SHAPE.match(value.strip()):
        reasons.append("its value has the shape of an LLM provider's API key")
    if reasons:
        report(
            f"{_describe(args)} stores an LLM key outside llmkeyvault.LlmKeyVault ({'; '.join(reasons)}). Move the "
            "key into an LlmKeyVault (providers=[{name, apiKey}] with the key from `pulumi config set --secret`): "
            "it gets least-privilege ACLs, delete-before-replace rotation and ready-made secret references."
        )


# --------------------------------------------------------------------------- plaintext credentials


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every mapping entry below value."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key), item
            yield from _walk(item, here)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def _is_set(value: Any) -> bool:
    return value is not None and value != ""


def _plaintext_credentials(args: Args, report: Report) -> None:
    if args.resource_type == MODEL_SERVING:
        fields = [p for p, key, v in _walk(args.props, "") if key.endswith("Plaintext") and _is_set(v)]
        fix = (
            "use the matching secret-reference field instead (for example openaiApiKey: "
            "'{{secrets/<scope>/<key>}}', which llmkeyvault.LlmKeyVault's secretReferences output gives)"
        )
    else:
        fields = [p for p, key, v in _walk(args.props, "") if key == "plaintext" and _is_set(v)]
        fix = "use the apiKey's secretReference to a Databricks secret (one kept by llmkeyvault.LlmKeyVault) instead"
    for field in fields:
        report(
            f"{_describe(args)} sets {field}: the credential is stored in the endpoint configuration in plaintext, "
            f"readable by anyone who can manage the endpoint; {fix}."
        )


# --------------------------------------------------------------------------- UC ALL_PRIVILEGES


def _uc_all_privileges(args: Args, report: Report) -> None:
    props = args.props
    if props.get("secret") is None:
        return
    if args.resource_type == GRANT:
        entries = [("privileges", props.get("principal"), props.get("privileges"))]
    else:
        entries = [
            (f"grants[{i}].privileges", g.get("principal"), g.get("privileges"))
            for i, g in enumerate(props.get("grants") or [])
            if isinstance(g, Mapping)
        ]
    for field, principal, privileges in entries:
        if any(isinstance(p, str) and p.upper() == "ALL_PRIVILEGES" for p in privileges or []):
            report(
                f"{_describe(args)} grants ALL_PRIVILEGES on a Unity Catalog secret to '{principal}' ({field}): "
                "that includes MANAGE, so the principal can read, change and re-grant the key. Grant READ_SECRET "
                "to consumers and MANAGE to a named admin group."
            )


# --------------------------------------------------------------------------- expired keys


def _expiry(args: Args) -> tuple[str, datetime | None]:
    """(property path, moment) of the key's expiry, if it has one that is known."""
    props = args.props
    if args.resource_type == SECRET_UC:
        raw = _text(props.get("expireTime"))
        if not raw:
            return "expireTime", None
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return "expireTime", None
        return "expireTime", moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    properties = props.get("properties")
    attributes = properties.get("attributes") if isinstance(properties, Mapping) else None
    expires = attributes.get("expires") if isinstance(attributes, Mapping) else None
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        return "properties.attributes.expires", datetime.fromtimestamp(expires, tz=timezone.utc)
    return "properties.attributes.expires", None


def _expired_key(args: Args, report: Report, now: Callable[[], datetime] | None = None) -> None:
    field, moment = _expiry(args)
    current = now() if now else datetime.now(timezone.utc)
    if moment is not None and moment <= current:
        report(
            f"{_describe(args)} has {field} {moment.isoformat()}, already past: the key is deployed expired and "
            "callers will be refused. Rotate the key (a new value from the provider) and set a future expiry, "
            "or remove the expiry."
        )


# --------------------------------------------------------------------------- the component's own grants


def _vault_workspace_users(args: Args, report: Report) -> None:
    """`users` in a grant the component made: it does so only when given
    allowWorkspaceUsers: true and 'users' among readers, writers or managers.
    (The engine hands a remote component's registration to the pack without its
    inputs, so the flag is seen through the children it produced.)"""
    if not inside_vault(args):
        return
    if args.resource_type == SECRET_SCOPE:
        principal = _text(args.props.get("initialManagePrincipal"))
        grants = [("MANAGE", principal)] if principal and principal.strip().lower() in EVERYONE else []
    else:
        grants = [(privilege, principal) for _, principal, privilege in _grants_to_everyone(args)]
    for privilege, principal in grants:
        report(
            f"{_describe(args)}, made by an LlmKeyVault, gives {privilege} to '{principal}', every user of the "
            "workspace: the component was given allowWorkspaceUsers: true with 'users' among its readers, writers "
            "or managers. Name groups instead and drop allowWorkspaceUsers, unless the workspace is on the "
            "Standard tier, where 'users' MANAGE is the only ACL a scope can have."
        )


RULES: tuple[Rule, ...] = (
    Rule(
        "no-workspace-users-manage-scope",
        MANDATORY,
        "A secret scope must not give MANAGE to all workspace users (initialManagePrincipal: users). Remove "
        "initialManagePrincipal and grant named groups with SecretAcl, or use llmkeyvault.LlmKeyVault.",
        (SECRET_SCOPE,),
        _scope_users_manage,
    ),
    Rule(
        "no-workspace-wide-secret-write",
        MANDATORY,
        "A secret ACL or Unity Catalog secret grant must not give 'users' or 'account users' more than read "
        "(WRITE, MANAGE, ALL_PRIVILEGES). Grant those to a named admin group.",
        (SECRET_ACL, GRANT, GRANTS),
        _everyone_more_than_read,
    ),
    Rule(
        "workspace-wide-secret-read",
        ADVISORY,
        "A secret ACL or Unity Catalog secret grant gives 'users' or 'account users' READ / READ_SECRET: every "
        "user can read the keys. Grant READ to the groups that need them.",
        (SECRET_ACL, GRANT, GRANTS),
        _everyone_read,
    ),
    Rule(
        "secret-delete-before-replace",
        MANDATORY,
        "A databricks.Secret must be replaced delete-before-replace (pulumi-databricks issue 642: create-before-"
        "delete loses the key). Set deleteBeforeReplace: true or use llmkeyvault.LlmKeyVault.",
        (SECRET,),
        _secret_delete_before_replace,
    ),
    Rule(
        "llm-key-outside-llmkeyvault",
        ADVISORY,
        "An LLM provider's key (by its key or name, or the shape of its value) is stored in a Databricks secret, "
        "UC secret or Key Vault secret outside llmkeyvault.LlmKeyVault. Move it into an LlmKeyVault.",
        (SECRET, SECRET_UC, KEY_VAULT_SECRET),
        _llm_key_outside_vault,
    ),
    Rule(
        "no-plaintext-model-credentials",
        MANDATORY,
        "A Model Serving external model (*Plaintext fields) or AI Gateway model provider service "
        "(apiKey.plaintext) must not carry a credential in plaintext. Reference a Databricks secret instead.",
        (MODEL_SERVING, AI_GATEWAY_PROVIDER),
        _plaintext_credentials,
    ),
    Rule(
        "uc-secret-all-privileges",
        ADVISORY,
        "A Unity Catalog secret is granted ALL_PRIVILEGES. Grant READ_SECRET to consumers and MANAGE to admins.",
        (GRANT, GRANTS),
        _uc_all_privileges,
    ),
    Rule(
        "no-expired-keys",
        MANDATORY,
        "A key's expiry (UC secret expireTime, Key Vault secret properties.attributes.expires) must not be in the "
        "past. Rotate the key and set a future expiry.",
        (SECRET_UC, KEY_VAULT_SECRET),
        _expired_key,
    ),
    Rule(
        "llmkeyvault-workspace-users",
        ADVISORY,
        "An LlmKeyVault grants the 'users' group (it was given allowWorkspaceUsers: true). Name groups instead. "
        "The component's own scope and ACLs are judged here, not by the scope and ACL policies.",
        (SECRET_SCOPE, SECRET_ACL),
        _vault_workspace_users,
    ),
)


def check(rule: Rule, args: Args) -> list[str]:
    """The messages ``rule`` reports for ``args`` (none if the type is not the rule's)."""
    messages: list[str] = []
    if args.resource_type in rule.resource_types:
        rule.validate(args, messages.append)
    return messages
