"""The rules of the ``llmkeyvault-guardrails`` policy pack, free of the policy SDK.

Each rule is a ``Rule``: a name, a default enforcement level, a description that
says how to comply, and a ``validate(args, context, report)`` function.
``__main__.py`` serves them to the engine; the tests call ``check`` directly.
``args`` is anything shaped like ``pulumi_policy.ResourceValidationArgs``
(``resource_type``, ``props`` under their schema names, ``urn``, ``name``,
``opts.parent``, ``opts.delete_before_replace``).

Every resource is judged by what it does. A resource whose parent claims the
type ``llmkeyvault:index:LlmKeyVault`` is judged once every resource of the
stack is known (the stack phase, ``judge_stack``): its parent counts as an
LlmKeyVault only when it is one (``vault_allowance``), and then exempts the
child only from what the component's own inputs asked for, as its state
records it (its outputs, and ``grantsAsked`` while its names are not known).
Everything else is judged resource by resource, before it is created (the
resource phase).

A violation message names the resource and the property path, and says what to
do. It never contains a property's value nor a principal: the inputs checked
here are API keys, and any of them may have come from a secret config value
(the policy SDK hands secrets to the pack as plain values).

The component's type, the child resource types, the groups of every user and
the key-material check are the provider's own (``llmkeyvault_provider``,
installed into the pack's virtual environment by ``make build``). Other type
tokens and property names are those of pulumi-databricks 1.118.0 and
pulumi-azure-native 3.29.0 (``tests/test_policy.py`` checks them against the
typed SDKs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from llmkeyvault_provider import children
from llmkeyvault_provider import rules as rules
from llmkeyvault_provider.args import Backend
from llmkeyvault_provider.outputs import GRANTS_ASKED, OUTPUT_ATTRIBUTES
from llmkeyvault_provider.schema import VAULT_TYPE as VAULT_TYPE

SECRET_SCOPE = children.SECRET_SCOPE
SECRET = children.SECRET
SECRET_ACL = children.SECRET_ACL
SECRET_UC = children.UC_SECRET
GRANTS = children.UC_GRANTS
GRANT = children.UC_GRANT
KEY_VAULT_SECRET = children.KEY_VAULT_SECRET
MODEL_SERVING = "databricks:index/modelServing:ModelServing"
AI_GATEWAY_PROVIDER = "databricks:index/aiGatewayModelProviderService:AiGatewayModelProviderService"
#: the provider resource the engine registers for the package whose plugin constructs the component
VAULT_PROVIDER_TYPE = "pulumi:providers:" + VAULT_TYPE.split(":", 1)[0]

#: groups that hold every user: the workspace-local group and the account-level one (Unity Catalog)
EVERYONE = rules.EVERYONE_GROUPS

#: what counts as "read" for each kind of grant
SCOPE_READ = "READ"
UC_READ = "READ_SECRET"
#: privileges on a catalog or schema that every secret in it inherits, and that reach the keys
CONTAINER_PRIVILEGES = frozenset({"ALL_PRIVILEGES", "MANAGE", "READ_SECRET", "WRITE_SECRET"})

#: the string the engine puts where a value is not known yet (during preview)
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: names (secret keys, UC secret names, Key Vault secret names) that hold an LLM provider's key
LLM_NAME = re.compile(
    r"openai|anthropic|claude|cohere|mistral|gemini|vertex-?ai|ai21|huggingface|hugging-face|\bhf[-_]"
    r"|groq|together|bedrock|perplexity|deepseek|fireworks|\bxai\b|\bllm",
    re.IGNORECASE,
)
#: environment variable names that carry a credential
CREDENTIAL_VARIABLE = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL", re.IGNORECASE)
#: a Databricks secret reference, the only safe value for a credential variable
SECRET_REFERENCE = re.compile(r"\{\{\s*secrets/[^/{}]+/[^/{}]+\s*\}\}")

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


def normalize_privilege(privilege: str) -> str:
    """A privilege as Databricks stores it: Unity Catalog accepts spaces and any letter
    case and converts them (terraform-provider-databricks, catalog/permissions
    ``NormalizePrivilege``: upper case, ' ' to '_'); secret ACL permissions the same."""
    return privilege.strip().upper().replace(" ", "_")


def is_everyone(principal: str) -> bool:
    """``users`` or ``account users`` in any letter case, as Databricks compares principals."""
    return rules.is_everyone(principal.strip())


def is_key_material(value: str) -> bool:
    return rules.key_material_problem(value) is not None


# --------------------------------------------------------------------------- what a component allowed


#: the types of the children that carry a component's grants, by its backend
GRANTING_CHILDREN = {
    Backend.DATABRICKS.value: frozenset({SECRET_SCOPE, SECRET_ACL}),
    Backend.AZURE_KEY_VAULT.value: frozenset({SECRET_SCOPE, SECRET_ACL}),
    Backend.UNITY_CATALOG.value: frozenset({GRANTS}),
}


@dataclass(frozen=True)
class Allowance:
    """What a real LlmKeyVault asked for, read from its state: the outputs, and what its
    inputs asked to grant (the engine hands the pack a remote component's state as the
    plugin registered it, never the inputs the program gave)."""

    #: (scope, or UC secret full name in lower case, principal identity, permission);
    #: None when the outputs are not known yet (a preview before the names exist)
    grants: frozenset[tuple[str, str, str]] | None
    #: where its keys are: (scope, key), ("", UC secret full name in lower case) and
    #: ("", Key Vault secret name); None if not known yet
    keys: frozenset[tuple[str, str]] | None
    #: the subset of ``keys`` given an ``expiresAt``; None if not known yet
    expiring: frozenset[tuple[str, str]] | None
    #: "catalog.schema" of its Unity Catalog secrets, lower-cased
    schemas: frozenset[str] = frozenset()
    #: (principal identity, permission) its inputs asked to grant, known before its names are
    asked: frozenset[tuple[str, str]] = frozenset()
    #: the types of its children that carry those grants (by its backend)
    granting: frozenset[str] = frozenset()

    def grants_this(self, resource_type: str, target: str | None, principal: str, permission: str) -> bool:
        """Whether the component made this grant. Once its names are known, the grant is
        matched whole; before (the first preview of a component with a unique suffix, whose
        names wait for the suffix) a child of the backend's granting type with a target not
        known either matches on what is: the principal and permission its inputs asked for."""
        identity = rules.principal_identity(principal.strip())
        if self.grants is not None:
            return target is not None and target != UNKNOWN and (target, identity, permission) in self.grants
        return target == UNKNOWN and resource_type in self.granting and (identity, permission) in self.asked

    def holds(self, where: tuple[str, str] | None) -> bool:
        """Whether a key at ``where`` is one of its own. While its names are not known (a
        first preview with a unique suffix), any key whose place is not known either."""
        return _among(where, self.keys)

    def expires(self, where: tuple[str, str] | None) -> bool:
        return _among(where, self.expiring)


def _among(where: tuple[str, str] | None, places: frozenset[tuple[str, str]] | None) -> bool:
    if where is None:
        return False
    if places is None:
        return UNKNOWN in where
    return where in places


def _known(value: Any) -> bool:
    return value is not None and value != UNKNOWN


def _grant_entries(raw: Any) -> frozenset[tuple[str, str, str]] | None:
    """The ``grants`` output as (lower-case target, principal identity, permission), or
    None unless every entry is known."""
    if not isinstance(raw, list):
        return None
    entries = []
    for g in raw:
        if not isinstance(g, Mapping):
            return None
        secret, scope = g.get("secret"), g.get("scope")
        target = secret.lower() if isinstance(secret, str) and secret else scope
        principal, permission = g.get("principal"), g.get("permission")
        if not (isinstance(target, str) and isinstance(principal, str) and isinstance(permission, str)):
            return None
        if UNKNOWN in (target, principal, permission):
            return None
        entries.append((target, rules.principal_identity(principal.strip()), normalize_privilege(permission)))
    return frozenset(entries)


def _asked_entries(raw: Any) -> frozenset[tuple[str, str]]:
    """The component's ``grantsAsked`` as (principal identity, permission); entries not
    fully known or not of its shape count for nothing."""
    entries = set()
    for g in raw if isinstance(raw, list) else ():
        principal = g.get("principal") if isinstance(g, Mapping) else None
        permission = g.get("permission") if isinstance(g, Mapping) else None
        if isinstance(principal, str) and isinstance(permission, str) and UNKNOWN not in (principal, permission):
            entries.add((rules.principal_identity(principal.strip()), normalize_privilege(permission)))
    return frozenset(entries)


def vault_allowance(props: Mapping[str, Any]) -> Allowance | None:
    """The allowance of a component whose outputs are ``props``, or None when they are
    not an LlmKeyVault's: every output the schema requires, of its type, or unknown."""
    if set(OUTPUT_ATTRIBUTES) - set(props):
        return None
    backend = props.get("backend")
    if backend != UNKNOWN and backend not in GRANTING_CHILDREN:
        return None
    shapes = {"grants": list, "scopes": list, "secretKeys": dict, "expirations": dict, "secretFullNames": dict}
    if any(_known(props[name]) and not isinstance(props[name], shape) for name, shape in shapes.items()):
        return None
    grants = _grant_entries(props["grants"])
    places = _key_places(props)
    keys = expiring = None
    if places is not None:
        keys = frozenset(places.values())
        raw_expirations = props["expirations"]
        if isinstance(raw_expirations, dict):
            expiring = frozenset(places[p] for p in raw_expirations if p in places)
    full_names = props["secretFullNames"]
    schemas = frozenset(
        name.rsplit(".", 1)[0].lower()
        for name in (full_names.values() if isinstance(full_names, dict) else ())
        if isinstance(name, str) and name.count(".") == 2
    )
    granting = GRANTING_CHILDREN.get(backend, frozenset()) if isinstance(backend, str) else frozenset()
    return Allowance(grants, keys, expiring, schemas, _asked_entries(props.get(GRANTS_ASKED)), granting)


def _key_places(props: Mapping[str, Any]) -> dict[str, tuple[str, str]] | None:
    """Provider name to where its key is (see ``Allowance.keys``), or None unless known."""
    backend, keys, scopes, full_names = (
        props["backend"],
        props["secretKeys"],
        props["scopeNames"],
        props["secretFullNames"],
    )
    if not isinstance(keys, dict) or not all(isinstance(v, str) and v != UNKNOWN for v in keys.values()):
        return None
    if backend == "unity-catalog":
        if not isinstance(full_names, dict) or not all(isinstance(v, str) for v in full_names.values()):
            return None
        return {p: ("", str(full_names.get(p, "")).lower()) for p in keys}
    if backend == "databricks":
        if not isinstance(scopes, dict) or not all(isinstance(v, str) for v in scopes.values()):
            return None
        return {p: (str(scopes.get(p, "")), key) for p, key in keys.items()}
    return {p: ("", key) for p, key in keys.items()}


def stored_at(args: Args) -> tuple[str, str] | None:
    """Where a stored secret is, in ``Allowance.keys``'s form, if its names are given."""
    props = args.props
    if args.resource_type == SECRET:
        scope, key = _text(props.get("scope")), _text(props.get("key"))
        return (scope, key) if scope and key else None
    if args.resource_type == SECRET_UC:
        parts = [_text(props.get(k)) for k in ("catalogName", "schemaName", "name")]
        if not all(parts):
            return None
        return ("", UNKNOWN) if UNKNOWN in parts else ("", ".".join(str(p) for p in parts).lower())
    name = _text(props.get("secretName"))
    return ("", name) if name else None


@dataclass(frozen=True)
class Context:
    """What the stack tells about one resource. Empty in the resource phase."""

    #: the allowance of the resource's parent when it is a real LlmKeyVault, else None
    allowance: Allowance | None = None
    #: "catalog.schema" (lower case) of every Unity Catalog secret in the stack
    secret_schemas: frozenset[str] = frozenset()

    @property
    def secret_catalogs(self) -> frozenset[str]:
        return frozenset(s.split(".", 1)[0] for s in self.secret_schemas)


@dataclass(frozen=True)
class Rule:
    name: str
    level: str
    description: str
    resource_types: tuple[str, ...]
    validate: Callable[[Args, Context, Report], None]
    #: judged only when the whole stack is known, whatever the resource's parent
    needs_stack: bool = False


def types_in_urn(urn: str | None) -> list[str]:
    """The type chain of a URN, outermost parent first:
    ``urn:pulumi:STACK::PROJECT::Parent$Child::NAME`` gives ``[Parent, Child]``."""
    if not urn:
        return []
    parts = urn.split("::", 3)
    if len(parts) < 4:
        return []
    return parts[2].split("$")


def claims_vault_parent(args: Args) -> bool:
    """Whether the resource's parent has the component's type (a claim the stack phase checks)."""
    parent = types_in_urn(args.opts.parent)
    return bool(parent) and parent[-1] == VAULT_TYPE


def judged_in_stack(rule: Rule, args: Args) -> bool:
    return rule.needs_stack or claims_vault_parent(args)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _describe(args: Args) -> str:
    return f"{args.resource_type.rsplit(':', 1)[-1]} '{args.name}'"


# --------------------------------------------------------------------------- grants to every user


@dataclass(frozen=True)
class EveryoneGrant:
    #: the type of the resource that makes it
    resource_type: str
    field: str
    principal: str
    privilege: str
    #: the scope or UC secret it is on
    target: str | None

    def allowed_by(self, context: Context) -> bool:
        a = context.allowance
        return a is not None and a.grants_this(self.resource_type, self.target, self.principal, self.privilege)


def _uc_entries(props: Mapping[str, Any], resource_type: str) -> Iterator[tuple[str, Any, Any]]:
    """(field path, principal, privileges) of every entry of a UC Grant or Grants."""
    if resource_type == GRANT:
        yield "privileges", props.get("principal"), props.get("privileges")
    else:
        for i, grant in enumerate(props.get("grants") or []):
            if isinstance(grant, Mapping):
                yield f"grants[{i}].privileges", grant.get("principal"), grant.get("privileges")


#: privileges and permissions a message may name (any other is an input's text, never shown)
KNOWN_PRIVILEGES = frozenset(
    {"READ", "WRITE", "MANAGE", "ALL_PRIVILEGES", "READ_SECRET", "WRITE_SECRET", "REFERENCE_SECRET", "BROWSE"}
)


def shown(privilege: str) -> str:
    return privilege if privilege in KNOWN_PRIVILEGES else "a privilege"


def _privileges(value: Any) -> list[str]:
    return [normalize_privilege(p) for p in value or [] if isinstance(p, str)]


def everyone_grants(args: Args) -> Iterator[EveryoneGrant]:
    """Every grant on a scope or a UC secret to all users that this resource makes."""
    props, kind = args.props, args.resource_type
    if kind == SECRET_SCOPE:
        principal = _text(props.get("initialManagePrincipal"))
        if principal and is_everyone(principal):
            yield EveryoneGrant(kind, "initialManagePrincipal", principal, "MANAGE", _text(props.get("name")))
    elif kind == SECRET_ACL:
        principal, permission = _text(props.get("principal")), _text(props.get("permission"))
        if principal and permission and is_everyone(principal):
            privilege = normalize_privilege(permission)
            yield EveryoneGrant(kind, "permission", principal, privilege, _text(props.get("scope")))
    elif kind in (GRANT, GRANTS) and props.get("secret") is not None:
        for field_path, principal, privileges in _uc_entries(props, kind):
            if isinstance(principal, str) and is_everyone(principal):
                for privilege in _privileges(privileges):
                    secret = _text(props.get("secret"))
                    yield EveryoneGrant(kind, field_path, principal, privilege, secret.lower() if secret else None)


def _scope_users_manage(args: Args, context: Context, report: Report) -> None:
    for grant in everyone_grants(args):
        if grant.field == "initialManagePrincipal" and not grant.allowed_by(context):
            report(
                f"{_describe(args)} sets initialManagePrincipal to a group of every user, which gives MANAGE on "
                "every key in the scope to every user of the workspace (read, overwrite, delete, re-grant). Remove "
                "initialManagePrincipal (the creator alone gets MANAGE) and grant READ to the groups that need "
                "the keys with databricks.SecretAcl, or use llmkeyvault.LlmKeyVault with readers/managers."
            )


def _judged_grants(args: Args, context: Context, *, read: bool) -> Iterator[EveryoneGrant]:
    """The ACL and UC grants to every user that no real component's inputs asked for,
    those that only read (``read``) or the others."""
    for grant in everyone_grants(args):
        judged = grant.field != "initialManagePrincipal" and not grant.allowed_by(context)
        if judged and (grant.privilege in (SCOPE_READ, UC_READ)) == read:
            yield grant


def _everyone_more_than_read(args: Args, context: Context, report: Report) -> None:
    for grant in _judged_grants(args, context, read=False):
        report(
            f"{_describe(args)} grants {shown(grant.privilege)} to a group of every user ({grant.field}): "
            "every user could then overwrite or delete the LLM keys, or grant them on. Grant WRITE/MANAGE "
            "(UC: MANAGE) only to a named admin group, and READ (UC: READ_SECRET) to the groups that use the keys."
        )


def _everyone_read(args: Args, context: Context, report: Report) -> None:
    for grant in _judged_grants(args, context, read=True):
        report(
            f"{_describe(args)} grants {shown(grant.privilege)} to a group of every user ({grant.field}): "
            "every user of the workspace can read the keys. Grant READ to the groups that need them instead."
        )


def _vault_workspace_users(args: Args, context: Context, report: Report) -> None:
    """A grant to every user that a real LlmKeyVault made because its inputs asked for it
    (allowWorkspaceUsers: true with 'users' or 'account users' among readers, writers or
    managers): the component's outputs list it."""
    for grant in everyone_grants(args):
        if grant.allowed_by(context):
            report(
                f"{_describe(args)}, made by an LlmKeyVault, gives {shown(grant.privilege)} to a group of every user "
                f"({grant.field}): the component was given allowWorkspaceUsers: true with that group among its "
                "readers, writers or managers. Name groups instead and drop allowWorkspaceUsers, unless the "
                "workspace is on the Standard tier, where 'users' MANAGE is the only ACL a scope can have."
            )


# --------------------------------------------------------------------------- catalogs and schemas


def _container(args: Args) -> tuple[str, str] | None:
    """(kind, lower-case name) of the catalog or schema a UC Grant/Grants is on, if known."""
    props = args.props
    if props.get("secret") is not None:
        return None
    for kind in ("schema", "catalog"):
        name = _text(props.get(kind))
        if name and name != UNKNOWN:
            return kind, name.strip().lower()
    return None


def _everyone_on_secret_container(args: Args, context: Context, report: Report) -> None:
    container = _container(args)
    if container is None:
        return
    kind, name = container
    holds = name in context.secret_schemas if kind == "schema" else name in context.secret_catalogs
    if not holds:
        return
    for field_path, principal, privileges in _uc_entries(args.props, args.resource_type):
        if not (isinstance(principal, str) and is_everyone(principal)):
            continue
        for privilege in sorted(set(_privileges(privileges)) & CONTAINER_PRIVILEGES):
            report(
                f"{_describe(args)} grants {privilege} on the {kind} that holds the stack's Unity Catalog secrets "
                f"to a group of every user ({field_path}): every secret in the {kind}, the LLM keys included, "
                "inherits it. Grant USE_CATALOG/USE_SCHEMA there, and READ_SECRET on each secret to the groups "
                "that need it (llmkeyvault.LlmKeyVault does)."
            )


# --------------------------------------------------------------------------- Secret replacement


def _secret_delete_before_replace(args: Args, context: Context, report: Report) -> None:
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


def _llm_key_outside_vault(args: Args, context: Context, report: Report) -> None:
    field_path, name, value = _stored_name_and_value(args)
    if context.allowance is not None and context.allowance.holds(stored_at(args)):
        return  # one of the component's own keys
    reasons = []
    if name and LLM_NAME.search(name):
        reasons.append(f"its {field_path} names an LLM provider")
    if isinstance(value, str) and value != UNKNOWN and is_key_material(value):
        reasons.append("its value has the shape of an API key")
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


def _literal_credentials(variables: Mapping[str, Any], path: str) -> Iterable[str]:
    """Paths of the environment variables whose value is a literal credential: key
    material, or any literal in a variable named for a credential."""
    for name, value in variables.items():
        if not isinstance(value, str) or value == UNKNOWN or not value.strip() or SECRET_REFERENCE.fullmatch(value):
            continue
        if is_key_material(value) or CREDENTIAL_VARIABLE.search(str(name)):
            yield f"{path}.{name}"


def _plaintext_credentials(args: Args, context: Context, report: Report) -> None:
    _literal_references(args, context, report)
    walked = list(_walk(args.props, ""))
    fields = [p for p, key, v in walked if (key == "plaintext" or key.endswith("Plaintext")) and _is_set(v)]
    for field_path in fields:
        report(
            f"{_describe(args)} sets {field_path}: the credential is stored in the configuration in plaintext, "
            "readable by anyone who can manage it; use the matching secret-reference field instead (for example "
            "openaiApiKey: '{{secrets/<scope>/<key>}}', or apiKey.secretReference {scope, key}), to a secret kept "
            "by llmkeyvault.LlmKeyVault (its secretReferences output)."
        )
    for path, key, value in walked:
        if key == "environmentVars" and isinstance(value, Mapping):
            for variable in _literal_credentials(value, path):
                report(
                    f"{_describe(args)} sets {variable} to a literal credential: it is stored in the endpoint "
                    "configuration in plaintext. Set it to a secret reference '{{secrets/<scope>/<key>}}' "
                    "(llmkeyvault.LlmKeyVault's environmentVariables output)."
                )


#: an external model's fields that take a secret reference ``{{secrets/<scope>/<key>}}`` and
#: never a literal (their ``*Plaintext`` siblings take the literal): pulumi-databricks 1.118.0
#: ``ModelServingConfigServedEntityExternalModel*Config``
SECRET_REFERENCE_FIELDS = frozenset(
    {
        "openaiApiKey",
        "microsoftEntraClientSecret",
        "anthropicApiKey",
        "cohereApiKey",
        "ai21labsApiKey",
        "palmApiKey",
        "databricksApiToken",
        "awsAccessKeyId",
        "awsSecretAccessKey",
        "privateKey",
    }
)
#: the same, as (parent field, field): a custom provider's ``apiKeyAuth.value`` and
#: ``bearerTokenAuth.token``
SECRET_REFERENCE_SUBFIELDS = frozenset({("apiKeyAuth", "value"), ("bearerTokenAuth", "token")})


def _is_reference_field(path: str, key: str) -> bool:
    if key in SECRET_REFERENCE_FIELDS:
        return True
    parent = re.sub(r"\[\d+\]$", "", path.rsplit(".", 2)[-2]) if path.count(".") else ""
    return (parent, key) in SECRET_REFERENCE_SUBFIELDS


def _literal_in_reference_field(value: Any) -> bool:
    return isinstance(value, str) and value != UNKNOWN and bool(value.strip()) and not SECRET_REFERENCE.fullmatch(value)


def _literal_references(args: Args, context: Context, report: Report) -> None:
    for path, key, value in _walk(args.props, ""):
        if "externalModel" in path and _is_reference_field(path, key) and _literal_in_reference_field(value):
            report(
                f"{_describe(args)} sets {path} to a literal: the field takes a secret reference "
                "'{{secrets/<scope>/<key>}}', and a literal there is a credential stored in the endpoint "
                "configuration in plaintext. Set it to a reference to a secret kept by llmkeyvault.LlmKeyVault "
                "(its secretReferences output)."
            )


# --------------------------------------------------------------------------- keys in cluster configuration


CLUSTER = "databricks:index/cluster:Cluster"
JOB = "databricks:index/job:Job"
PIPELINE = "databricks:index/pipeline:Pipeline"
#: the fields of a cluster spec (a cluster, a job's new and job clusters, a pipeline's clusters)
#: that take ``{{secrets/<scope>/<key>}}`` references
CLUSTER_CONFIG_FIELDS = ("sparkEnvVars", "sparkConf")


def _literal_cluster_keys(args: Args, context: Context, report: Report) -> None:
    """Key material in a cluster spec's environment or Spark configuration, or any literal in
    an environment variable named for both an LLM provider and a credential."""
    for path, key, value in _walk(args.props, ""):
        if key not in CLUSTER_CONFIG_FIELDS or not isinstance(value, Mapping):
            continue
        for name, item in value.items():
            if not _literal_in_reference_field(item):
                continue
            named = key == "sparkEnvVars" and bool(LLM_NAME.search(str(name)) and CREDENTIAL_VARIABLE.search(str(name)))
            if named or is_key_material(item):
                report(
                    f"{_describe(args)} sets {path}.{name} to a literal credential: it is stored in the cluster "
                    "configuration in plaintext, readable by anyone who can view the cluster or job. Set it to a "
                    "secret reference '{{secrets/<scope>/<key>}}' (llmkeyvault.LlmKeyVault's environmentVariables "
                    "output)."
                )


# --------------------------------------------------------------------------- UC ALL_PRIVILEGES


def _uc_all_privileges(args: Args, context: Context, report: Report) -> None:
    if args.props.get("secret") is None:
        return
    for field_path, _principal, privileges in _uc_entries(args.props, args.resource_type):
        if "ALL_PRIVILEGES" in _privileges(privileges):
            report(
                f"{_describe(args)} grants ALL_PRIVILEGES on a Unity Catalog secret ({field_path}): that includes "
                "MANAGE, so the principal can read, change and re-grant the key. Grant READ_SECRET to consumers and "
                "MANAGE to a named admin group."
            )


# --------------------------------------------------------------------------- expired keys


def _expiry(args: Args) -> tuple[str, datetime | None]:
    """(property path, moment) of the key's expiry, if it has one that is known."""
    props = args.props
    if args.resource_type == SECRET_UC:
        raw = _text(props.get("expireTime"))
        if not raw or raw == UNKNOWN:
            return "expireTime", None
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return "expireTime", None
        return "expireTime", moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    properties = props.get("properties")
    attributes = properties.get("attributes") if isinstance(properties, Mapping) else None
    expires = attributes.get("expires") if isinstance(attributes, Mapping) else None
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        try:
            return "properties.attributes.expires", datetime.fromtimestamp(expires, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return "properties.attributes.expires", None
    return "properties.attributes.expires", None


def _expired_key(args: Args, context: Context, report: Report, now: Callable[[], datetime] | None = None) -> None:
    field_path, moment = _expiry(args)
    if context.allowance is not None and context.allowance.expires(stored_at(args)):
        return  # the component's own key, given an expiresAt: the component warns about it itself
    current = now() if now else datetime.now(timezone.utc)
    if moment is not None and moment <= current:
        report(
            f"{_describe(args)} has {field_path} already past: the key is deployed expired and callers will be "
            "refused. Rotate the key (a new value from the provider) and set a future expiry, or remove the expiry."
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
        "(WRITE, MANAGE, ALL_PRIVILEGES, in any spelling). Grant those to a named admin group.",
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
        "no-workspace-wide-secret-container-grant",
        MANDATORY,
        "A Unity Catalog grant on the catalog or schema that holds the stack's UC secrets must not give 'users' or "
        "'account users' ALL_PRIVILEGES, MANAGE, READ_SECRET or WRITE_SECRET: every secret in it inherits them. "
        "Grant READ_SECRET on each secret to named groups.",
        (GRANT, GRANTS),
        _everyone_on_secret_container,
        needs_stack=True,
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
        "A Model Serving endpoint or AI Gateway model provider service must not carry a credential in plaintext: "
        "no *Plaintext or plaintext field, no literal in a field that takes a secret reference (openaiApiKey, "
        "anthropicApiKey, ...), no literal key in environmentVars. Reference a Databricks secret instead.",
        (MODEL_SERVING, AI_GATEWAY_PROVIDER),
        _plaintext_credentials,
    ),
    Rule(
        "no-literal-keys-in-cluster-config",
        MANDATORY,
        "A cluster, a job's clusters and a pipeline's clusters must not carry key material in sparkEnvVars or "
        "sparkConf (nor any literal in an LLM provider's key variable such as OPENAI_API_KEY). Reference a "
        "Databricks secret '{{secrets/<scope>/<key>}}' instead.",
        (CLUSTER, JOB, PIPELINE),
        _literal_cluster_keys,
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
        "past. Rotate the key and set a future expiry. An LlmKeyVault's own keys are exempt: the component warns.",
        (SECRET_UC, KEY_VAULT_SECRET),
        _expired_key,
    ),
    Rule(
        "llmkeyvault-workspace-users",
        ADVISORY,
        "An LlmKeyVault grants the 'users' or 'account users' group (it was given allowWorkspaceUsers: true). Name "
        "groups instead. Only these grants of the component are judged here instead of by the grant policies.",
        (SECRET_SCOPE, SECRET_ACL, GRANT, GRANTS),
        _vault_workspace_users,
    ),
)


def check(rule: Rule, args: Args, context: Context | None = None) -> list[str]:
    """The messages ``rule`` reports for ``args`` in one phase: the resource phase
    without ``context``, the stack phase with it. Each resource is judged in exactly
    one of them."""
    messages: list[str] = []
    if args.resource_type not in rule.resource_types:
        return messages
    if context is None:
        if not judged_in_stack(rule, args):
            rule.validate(args, Context(), messages.append)
    elif judged_in_stack(rule, args):
        rule.validate(args, context, messages.append)
    return messages


# --------------------------------------------------------------------------- the stack phase


class StackResource(Args, Protocol):
    @property
    def provider_type(self) -> str | None:
        """The type of the resource's provider (``pulumi:providers:<package>``), None for a component."""
        ...


def stack_contexts(resources: Sequence[StackResource]) -> dict[str, Context]:
    """The context of each resource (by URN) of a stack.

    A parent counts as an LlmKeyVault when it has the component's type, no provider
    (a component), the stack holds a provider of the ``llmkeyvault`` package (the
    engine registers one for each remote component it has the plugin construct;
    a component declared by the program itself needs none), and its outputs are an
    LlmKeyVault's. The engine records a remote component's state from the plugin's
    registration, without inputs or a provider reference, so that is what can be
    checked (docs/policy.md).
    """
    has_plugin = any(r.resource_type == VAULT_PROVIDER_TYPE for r in resources)
    allowances: dict[str, Allowance] = {}
    if has_plugin:
        for r in resources:
            if r.resource_type == VAULT_TYPE and r.provider_type is None:
                allowance = vault_allowance(r.props)
                if allowance is not None:
                    allowances[r.urn] = allowance
    schemas: set[str] = set()
    for allowance in allowances.values():
        schemas |= allowance.schemas
    for r in resources:
        if r.resource_type == SECRET_UC:
            catalog, schema = _text(r.props.get("catalogName")), _text(r.props.get("schemaName"))
            if catalog and schema and UNKNOWN not in (catalog, schema):
                schemas.add(f"{catalog}.{schema}".lower())
    frozen = frozenset(schemas)
    return {
        r.urn: Context(allowances.get(r.opts.parent or ""), frozen)
        for r in resources
        if r.resource_type not in (VAULT_TYPE, VAULT_PROVIDER_TYPE)
    }


def judge_stack(rule: Rule, resources: Sequence[StackResource], report: Callable[[str, str], None]) -> None:
    """``rule``'s stack phase over every resource of a stack: ``report(message, urn)``."""
    contexts = stack_contexts(resources)
    for r in resources:
        context = contexts.get(r.urn)
        if context is not None:
            for message in check(rule, r, context):
                report(message, r.urn)
