"""The llmkeyvault-guardrails policy pack (policy/), one policy at a time.

Resources come from the typed SDKs (pulumi-databricks, pulumi-azure-native) and
from the component itself, run under Pulumi's mocks: what they register is what
the engine hands the pack, so the type tokens and property names the rules read
are checked against the SDKs here too. Each rule's ``validate`` is called
directly with arguments shaped like pulumi-policy's ``ResourceValidationArgs``;
``test_the_pack_wraps_each_rule`` runs the real pack's wrapper in the pack's
own virtual environment.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import llmkeyvault_guardrails as guardrails
import pulumi
import pulumi_azure_native.keyvault as keyvault
import pulumi_databricks as databricks
import pytest
import yaml
from conftest import FAKE_KEYS, assert_no_key_in, make
from llmkeyvault_provider import LlmKeyVault
from support.mocks import run_with_mocks
from support.standin_engine import Registration

from devtools.local_stack import ROOT

pytestmark = pytest.mark.unit

KEY_VAULT_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm"
)
RULES = {rule.name: rule for rule in guardrails.RULES}
SECRET_SIG = "4dabf18193072939515e22adb298388d"


@dataclass
class Opts:
    parent: str | None = None
    delete_before_replace: bool | None = None


@dataclass
class Args:
    resource_type: str
    props: dict[str, Any]
    urn: str
    name: str
    opts: Opts


def unsecret(value: Any) -> Any:
    """Inputs as the pack sees them: secrets unwrapped (pulumi-policy deserializes them)."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return unsecret(value["value"])
        return {k: unsecret(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unsecret(v) for v in value]
    return value


def as_args(r: Registration) -> Args:
    return Args(
        r.type,
        unsecret(r.inputs),
        r.urn,
        r.name,
        Opts(r.parent or None, True if r.delete_before_replace else None),
    )


def registered(program: Callable[[], object]) -> list[Args]:
    def build() -> pulumi.Output[int]:
        program()
        return pulumi.Output.from_input(1)

    return [as_args(r) for r in run_with_mocks(build).registrations if r.custom]


def one(program: Callable[[], object]) -> Args:
    (args,) = registered(program)
    return args


def vault_secret(name: str, secret_name: str, **properties: Any) -> Args:
    """One Key Vault secret in vault ``kv``, declared through the typed SDK."""
    return one(
        lambda: keyvault.Secret(
            name,
            resource_group_name="rg",
            vault_name="kv",
            secret_name=secret_name,
            properties=keyvault.SecretPropertiesArgs(**properties),
        )
    )


def violations(args: Args) -> dict[str, list[str]]:
    found = {name: guardrails.check(rule, args) for name, rule in RULES.items()}
    messages = [m for ms in found.values() for m in ms]
    for message in messages:
        assert args.name in message, "a violation names its resource"
        assert_no_key_in(message)
    return {name: ms for name, ms in found.items() if ms}


# --------------------------------------------------------------------------- the pack itself


def test_the_pack_is_versioned_with_the_package() -> None:
    pack = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    schema = yaml.safe_load((ROOT / "schema.yaml").read_text())
    assert pack["version"] == schema["version"]
    assert pack["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    requirements = (ROOT / "policy" / "requirements.txt").read_text().split()
    assert "pulumi-policy==1.21.0" in requirements, "pulumi-policy is pinned"


def test_levels_and_descriptions() -> None:
    assert {name: rule.level for name, rule in RULES.items()} == {
        "no-workspace-users-manage-scope": "mandatory",
        "no-workspace-wide-secret-write": "mandatory",
        "workspace-wide-secret-read": "advisory",
        "secret-delete-before-replace": "mandatory",
        "llm-key-outside-llmkeyvault": "advisory",
        "no-plaintext-model-credentials": "mandatory",
        "uc-secret-all-privileges": "advisory",
        "no-expired-keys": "mandatory",
        "llmkeyvault-workspace-users": "advisory",
    }
    for rule in RULES.values():
        assert len(rule.description) > 40 and rule.description.endswith(".")


def test_types_in_urn() -> None:
    urn = "urn:pulumi:dev::p::llmkeyvault:index:LlmKeyVault$databricks:index/secret:Secret::a::b"
    assert guardrails.types_in_urn(urn) == [guardrails.VAULT_TYPE, guardrails.SECRET]
    assert guardrails.types_in_urn("") == []
    assert guardrails.types_in_urn("not-a-urn") == []


# --------------------------------------------------------------------------- scopes


def test_scope_with_users_manage_is_mandatory_violation() -> None:
    scope = one(lambda: databricks.SecretScope("llm", name="llm", initial_manage_principal="users"))
    found = violations(scope)
    assert list(found) == ["no-workspace-users-manage-scope"]
    assert "initialManagePrincipal: users" in found["no-workspace-users-manage-scope"][0]


def test_scope_without_users_passes() -> None:
    assert violations(one(lambda: databricks.SecretScope("llm", name="llm"))) == {}
    assert violations(one(lambda: databricks.SecretScope("llm", name="llm", initial_manage_principal="admins"))) == {}


# --------------------------------------------------------------------------- ACLs and UC grants


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        ("MANAGE", "no-workspace-wide-secret-write"),
        ("WRITE", "no-workspace-wide-secret-write"),
        ("READ", "workspace-wide-secret-read"),
    ],
)
def test_acl_for_users(permission: str, expected: str) -> None:
    acl = one(lambda: databricks.SecretAcl("acl", scope="llm", principal="users", permission=permission))
    assert list(violations(acl)) == [expected]


@pytest.mark.parametrize("permission", ["READ", "WRITE", "MANAGE"])
def test_acl_for_a_named_group_passes(permission: str) -> None:
    acl = one(lambda: databricks.SecretAcl("acl", scope="llm", principal="ds", permission=permission))
    assert violations(acl) == {}


def test_uc_grants_on_a_secret() -> None:
    def grants(*entries: tuple[str, list[str]]) -> Args:
        return one(
            lambda: databricks.Grants(
                "g",
                secret="main.default.openai",
                grants=[databricks.GrantsGrantArgs(principal=p, privileges=ps) for p, ps in entries],
            )
        )

    assert list(violations(grants(("account users", ["MANAGE"])))) == ["no-workspace-wide-secret-write"]
    assert list(violations(grants(("account users", ["READ_SECRET"])))) == ["workspace-wide-secret-read"]
    assert sorted(violations(grants(("account users", ["ALL_PRIVILEGES"])))) == [
        "no-workspace-wide-secret-write",
        "uc-secret-all-privileges",
    ]
    assert list(violations(grants(("admins", ["ALL_PRIVILEGES"])))) == ["uc-secret-all-privileges"]
    assert violations(grants(("ds", ["READ_SECRET"]), ("admins", ["MANAGE"]))) == {}

    single = one(lambda: databricks.Grant("g1", secret="main.default.openai", principal="users", privileges=["MANAGE"]))
    assert list(violations(single)) == ["no-workspace-wide-secret-write"]
    # Grants on something other than a secret are not this pack's business.
    catalog = one(
        lambda: databricks.Grants(
            "g2",
            catalog="main",
            grants=[databricks.GrantsGrantArgs(principal="account users", privileges=["ALL_PRIVILEGES"])],
        )
    )
    assert violations(catalog) == {}


# --------------------------------------------------------------------------- Secret replacement and LLM keys


def test_raw_secret_with_a_pasted_key() -> None:
    key = FAKE_KEYS["openai"]
    secret = one(lambda: databricks.Secret("openai", scope="llm", key="openai-api-key", string_value=key))
    found = violations(secret)
    assert sorted(found) == ["llm-key-outside-llmkeyvault", "secret-delete-before-replace"]
    assert "issue 642" in found["secret-delete-before-replace"][0]
    assert "names an LLM provider" in found["llm-key-outside-llmkeyvault"][0]
    assert "shape of an LLM provider's API key" in found["llm-key-outside-llmkeyvault"][0]


def replaced_first(key: str, value: str) -> Args:
    """A Secret in scope ``apps`` declared with delete-before-replace."""
    options = pulumi.ResourceOptions(delete_before_replace=True)
    return one(lambda: databricks.Secret(key, scope="apps", key=key, string_value=value, opts=options))


def test_secret_with_delete_before_replace_and_another_purpose_passes() -> None:
    assert violations(replaced_first("db-password", "hunter2-not-a-key")) == {}


def test_llm_key_by_value_shape_alone() -> None:
    assert list(violations(replaced_first("token", FAKE_KEYS["anthropic"]))) == ["llm-key-outside-llmkeyvault"]


def test_uc_and_key_vault_secrets_named_for_a_provider() -> None:
    uc = one(
        lambda: databricks.SecretUc("uc", catalog_name="main", schema_name="default", name="anthropic-key", value="x")
    )
    assert list(violations(uc)) == ["llm-key-outside-llmkeyvault"]
    assert list(violations(vault_secret("kv", "mistral-api-key", value="x"))) == ["llm-key-outside-llmkeyvault"]
    assert violations(vault_secret("kv2", "db-password", value="x")) == {}


# --------------------------------------------------------------------------- plaintext credentials


def test_model_serving_plaintext_key() -> None:
    def endpoint(**openai: str) -> Args:
        return one(
            lambda: databricks.ModelServing(
                "chat",
                name="chat",
                config=databricks.ModelServingConfigArgs(
                    served_entities=[
                        databricks.ModelServingConfigServedEntityArgs(
                            name="gpt",
                            external_model=databricks.ModelServingConfigServedEntityExternalModelArgs(
                                name="gpt-4o",
                                provider="openai",
                                task="llm/v1/chat",
                                openai_config=databricks.ModelServingConfigServedEntityExternalModelOpenaiConfigArgs(
                                    **openai
                                ),
                            ),
                        )
                    ]
                ),
            )
        )

    found = violations(endpoint(openai_api_key_plaintext=FAKE_KEYS["openai"]))
    assert list(found) == ["no-plaintext-model-credentials"]
    assert "openaiConfig.openaiApiKeyPlaintext" in found["no-plaintext-model-credentials"][0]
    assert violations(endpoint(openai_api_key="{{secrets/llm/openai-api-key}}")) == {}


def test_ai_gateway_plaintext_key() -> None:
    def service(api_key: dict[str, Any]) -> Args:
        # The SDK's own example, in its dictionary form.
        config: Any = {
            "provider_type": "EXTERNAL_MODEL_PROVIDER_TYPE_CUSTOM",
            "custom": {"direct": {"base_url": "https://api.example.com/v1", "api_key": api_key}},
        }
        return one(
            lambda: databricks.AiGatewayModelProviderService(
                "svc", parent="schemas/main.default", model_provider_service_id="custom", config=config
            )
        )

    found = violations(service({"plaintext": FAKE_KEYS["my-llm"]}))
    assert list(found) == ["no-plaintext-model-credentials"]
    assert "config.custom.direct.apiKey.plaintext" in found["no-plaintext-model-credentials"][0]
    reference = service({"secret_reference": {"scope": "llm", "key": "custom-api-key"}})
    assert violations(reference) == {}


# --------------------------------------------------------------------------- expiry


def test_expired_keys() -> None:
    past, future = datetime.now(timezone.utc) - timedelta(days=1), datetime.now(timezone.utc) + timedelta(days=30)

    def uc(when: datetime) -> Args:
        return one(
            lambda: databricks.SecretUc(
                "uc",
                catalog_name="main",
                schema_name="default",
                name="db",
                value="x",
                expire_time=when.isoformat().replace("+00:00", "Z"),
            )
        )

    def kv(when: datetime) -> Args:
        return vault_secret(
            "kv", "db", value="x", attributes=keyvault.SecretAttributesArgs(expires=int(when.timestamp()))
        )

    for args in (uc(past), kv(past)):
        found = violations(args)
        assert list(found) == ["no-expired-keys"], args.resource_type
        assert "already past" in found["no-expired-keys"][0]
    assert violations(uc(future)) == {}
    assert violations(kv(future)) == {}


# --------------------------------------------------------------------------- the component's children


def children(props: dict[str, Any]) -> list[Args]:
    """The resources the component registers, as the engine hands them to the pack."""
    return [as_args(r) for r in run_with_mocks(lambda: LlmKeyVault("llm", props)).registrations if r.custom]


@pytest.mark.parametrize(
    "props",
    [
        {"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}], "readers": ["ds"], "managers": ["admins"]},
        {
            "providers": [
                {"name": "anthropic", "apiKey": FAKE_KEYS["anthropic"], "readers": ["research"]},
                {"name": "cohere", "apiKey": FAKE_KEYS["cohere"]},
            ],
            "readers": ["ds"],
            "writers": ["ops"],
            "scopePerProvider": True,
            "uniqueSuffix": True,
        },
        {
            "providers": [{"name": "mistral", "apiKey": FAKE_KEYS["mistral"]}],
            "backend": "azure-keyvault",
            "keyVault": {"resourceId": KEY_VAULT_ID},
        },
        {
            "providers": [
                {"name": "openai", "apiKey": FAKE_KEYS["openai"], "expiresAt": "2099-01-01T00:00:00Z"},
                {"name": "anthropic", "apiKey": FAKE_KEYS["anthropic"], "readers": ["research"]},
            ],
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "main", "schema": "llm", "createSchema": True},
            "readers": ["ds"],
            "referencers": ["serving-sp"],
            "managers": ["admins"],
        },
        # 'users' on purpose: the component's own grants are judged by llmkeyvault-workspace-users.
        {
            "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
            "readers": ["ds"],
            "writers": ["users"],
            "managers": ["admins"],
            "allowWorkspaceUsers": True,
        },
    ],
)
def test_the_components_children_never_violate_a_mandatory_policy(props: dict[str, Any]) -> None:
    resources = children(props)
    types = {a.resource_type for a in resources}
    assert types & {guardrails.SECRET, guardrails.KEY_VAULT_SECRET, guardrails.SECRET_UC}
    flagged = {name for args in resources for name in violations(args)}
    # only the advisory rule for workspace users, and exactly when they are granted something
    assert flagged == ({"llmkeyvault-workspace-users"} if props.get("allowWorkspaceUsers") else set())
    assert RULES["llmkeyvault-workspace-users"].level == "advisory"
    assert all(guardrails.inside_vault(args) for args in resources)


def test_workspace_users_through_the_component_are_advisory() -> None:
    resources = children(
        {
            "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
            "readers": ["ds"],
            "managers": ["users", "admins"],
            "allowWorkspaceUsers": True,
        }
    )
    found = {(a.resource_type, a.name): violations(a) for a in resources}
    flagged = {key: list(v) for key, v in found.items() if v}
    assert flagged == {(guardrails.SECRET_SCOPE, "llm-scope"): ["llmkeyvault-workspace-users"]}
    (message,) = found[(guardrails.SECRET_SCOPE, "llm-scope")]["llmkeyvault-workspace-users"]
    assert "allowWorkspaceUsers" in message and "MANAGE" in message


def test_the_same_resources_outside_the_component_violate() -> None:
    """The children's exemption comes from their parent alone: the same inputs without it are caught."""
    for args in children({"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}], "readers": ["ds"]}):
        if args.resource_type == guardrails.SECRET:
            orphan = Args(
                args.resource_type, args.props, f"urn:pulumi:dev::proj::{guardrails.SECRET}::x", args.name, Opts()
            )
            assert sorted(violations(orphan)) == ["llm-key-outside-llmkeyvault", "secret-delete-before-replace"]
            break
    else:
        raise AssertionError("the component registered no Secret")


# --------------------------------------------------------------------------- the pack's wrapper


WRAPPER_CHECK = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import pulumi_policy
from pulumi_policy import PolicyResourceOptions, PolicyCustomTimeouts, ResourceValidationArgs
from pulumi_policy.proxy import unknown_checking_proxy
pulumi_policy.PolicyPack = lambda **kw: None  # build the policies without serving them
import runpy
ns = runpy.run_path(sys.argv[1] + "/__main__.py")
from llmkeyvault_guardrails import RULES
out = {}
for rule in RULES:
    policy = ns["policy"](rule)
    out[rule.name] = {"level": policy.enforcement_level.value}
cases = json.loads(sys.stdin.read())
for name, (type_, props, dbr) in cases.items():
    opts = PolicyResourceOptions(False, [], dbr, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    urn = "urn:pulumi:dev::p::" + type_ + "::" + name
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn, name, opts, None)
    found = []
    for rule in RULES:
        ns["policy"](rule).validate(args, lambda message, urn, rule=rule: found.append(rule.name))
    out[name] = sorted(found)
print(json.dumps(out))
"""


def test_the_pack_wraps_each_rule() -> None:
    make("policy-venv")
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    cases = {
        "scope": [guardrails.SECRET_SCOPE, {"name": unknown, "initialManagePrincipal": "users"}, None],
        "secret": [guardrails.SECRET, {"scope": unknown, "key": "openai-api-key", "stringValue": "x"}, None],
        "kept": [guardrails.SECRET, {"scope": unknown, "key": "db", "stringValue": "x"}, True],
        "serving": [
            guardrails.MODEL_SERVING,
            {
                "name": unknown,
                "config": {"servedEntities": [{"externalModel": {"openaiConfig": {"openaiApiKeyPlaintext": unknown}}}]},
            },
            None,
        ],
    }
    done = subprocess.run(
        [str(ROOT / "policy" / "venv" / "bin" / "python"), "-c", WRAPPER_CHECK, str(ROOT / "policy")],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(done.stdout)
    assert out["scope"] == ["no-workspace-users-manage-scope"]
    assert out["secret"] == ["llm-key-outside-llmkeyvault", "secret-delete-before-replace"]
    assert out["kept"] == []
    # Values unknown during preview do not stop the checks that can be made.
    assert out["serving"] == ["no-plaintext-model-credentials"]
    for rule in guardrails.RULES:
        assert out[rule.name]["level"] == rule.level


def test_every_rule_is_documented() -> None:
    docs = (ROOT / "docs" / "policy.md").read_text()
    for name in RULES:
        assert f"`{name}`" in docs
    assert "policy.md" in (ROOT / "README.md").read_text()
