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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import llmkeyvault_guardrails as guardrails
import pulumi
import pulumi_azure_native.keyvault as keyvault
import pulumi_databricks as databricks
import pytest
import support.mocks
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
    #: the resource's provider type in a stack (None: a component)
    provider_type: str | None = None


def unsecret(value: Any) -> Any:
    """Inputs as the pack sees them: secrets unwrapped (pulumi-policy deserializes them)."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return unsecret(value["value"])
        return {k: unsecret(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unsecret(v) for v in value]
    return value


def as_args(r: Registration, outputs: dict[str, Any] | None = None) -> Args:
    """A registration as the engine hands it to the pack: a custom resource with its
    inputs and its package's provider; a component with its outputs and no provider."""
    return Args(
        r.type,
        unsecret(r.inputs if r.custom else outputs or {}),
        r.urn,
        r.name,
        Opts(r.parent or None, True if r.delete_before_replace else None),
        f"pulumi:providers:{r.type.split(':', 1)[0]}" if r.custom else None,
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


def _checked(found: dict[str, list[str]], name: str) -> dict[str, list[str]]:
    for message in (m for ms in found.values() for m in ms):
        assert name in message, "a violation names its resource"
        assert_no_key_in(message)
    return {rule: ms for rule, ms in found.items() if ms}


def violations(args: Args) -> dict[str, list[str]]:
    """What the resource phase reports for ``args``."""
    return _checked({name: guardrails.check(rule, args) for name, rule in RULES.items()}, args.name)


PLUGIN = Args(
    guardrails.VAULT_PROVIDER_TYPE, {}, "urn:pulumi:dev::proj::pulumi:providers:llmkeyvault::default", "default", Opts()
)


def stack_violations(resources: list[Args]) -> dict[str, dict[str, list[str]]]:
    """What the stack phase reports, by resource name then rule."""
    found: dict[str, dict[str, list[str]]] = {}
    by_urn = {r.urn: r for r in resources}
    for name, rule in RULES.items():

        def report(message: str, urn: str, rule_name: str = name) -> None:
            found.setdefault(by_urn[urn].name, {}).setdefault(rule_name, []).append(message)

        guardrails.judge_stack(rule, resources, report)
    return {name: _checked(rules, name) for name, rules in found.items()}


def everywhere(resources: list[Args]) -> dict[str, set[str]]:
    """Every rule that fires for each resource, in either phase; each resource is judged in one."""
    fired: dict[str, set[str]] = {}
    for args in resources:
        for name in violations(args):
            fired.setdefault(args.name, set()).add(name)
    for resource, found in stack_violations(resources).items():
        assert not fired.get(resource, set()) & set(found), "judged in both phases"
        fired.setdefault(resource, set()).update(found)
    return fired


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
        "no-workspace-wide-secret-container-grant": "mandatory",
        "secret-delete-before-replace": "mandatory",
        "llm-key-outside-llmkeyvault": "advisory",
        "no-plaintext-model-credentials": "mandatory",
        "no-literal-keys-in-cluster-config": "mandatory",
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
    assert "sets initialManagePrincipal to a group of every user" in found["no-workspace-users-manage-scope"][0]


def test_scope_without_users_passes() -> None:
    assert violations(one(lambda: databricks.SecretScope("llm", name="llm"))) == {}
    assert violations(one(lambda: databricks.SecretScope("llm", name="llm", initial_manage_principal="admins"))) == {}


# --------------------------------------------------------------------------- ACLs and UC grants


WRITE_RULE, READ_RULE = "no-workspace-wide-secret-write", "workspace-wide-secret-read"


# in any letter case, as Databricks compares them
@pytest.mark.parametrize("principal", ["users", "USERS"])
@pytest.mark.parametrize(
    ("permission", "expected"),
    [("MANAGE", WRITE_RULE), ("manage", WRITE_RULE), (" Write ", WRITE_RULE), ("READ", READ_RULE), ("read", READ_RULE)],
)
def test_acl_for_users(principal: str, permission: str, expected: str) -> None:
    acl = one(lambda: databricks.SecretAcl("acl", scope="llm", principal=principal, permission=permission))
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


@pytest.mark.parametrize(
    ("privileges", "expected"),
    [
        (["read secret"], ["workspace-wide-secret-read"]),
        (["Read_Secret"], ["workspace-wide-secret-read"]),
        (["all privileges"], ["no-workspace-wide-secret-write", "uc-secret-all-privileges"]),
        (["manage"], ["no-workspace-wide-secret-write"]),
    ],
)
def test_uc_privileges_as_databricks_normalises_them(privileges: list[str], expected: list[str]) -> None:
    """Unity Catalog stores a privilege upper-cased with '_' for ' ' (terraform-provider-databricks
    catalog/permissions NormalizePrivilege): each spelling trips the rule of what it becomes."""
    grant = one(
        lambda: databricks.Grant("g", secret="main.default.openai", principal="Account Users", privileges=privileges)
    )
    assert sorted(violations(grant)) == expected


def test_a_violation_never_prints_a_principal() -> None:
    """Principals may come from secret config values, which the pack sees in plain text."""
    principal = "sp-0a1b2c3d-secret-principal"
    grants = one(
        lambda: databricks.Grants(
            "g",
            secret="main.default.openai",
            grants=[
                databricks.GrantsGrantArgs(principal=principal, privileges=["ALL_PRIVILEGES"]),
                databricks.GrantsGrantArgs(principal="Account Users", privileges=["MANAGE"]),
            ],
        )
    )
    found = violations(grants)
    assert sorted(found) == ["no-workspace-wide-secret-write", "uc-secret-all-privileges"]
    for message in (m for ms in found.values() for m in ms):
        assert principal not in message and "Account Users" not in message
    assert "grants[0].privileges" in found["uc-secret-all-privileges"][0]
    assert "grants[1].privileges" in found["no-workspace-wide-secret-write"][0]


# --------------------------------------------------------------------------- Secret replacement and LLM keys


def test_raw_secret_with_a_pasted_key() -> None:
    key = REAL_FORMAT_KEY
    secret = one(lambda: databricks.Secret("openai", scope="llm", key="openai-api-key", string_value=key))
    found = violations(secret)
    assert sorted(found) == ["llm-key-outside-llmkeyvault", "secret-delete-before-replace"]
    assert "issue 642" in found["secret-delete-before-replace"][0]
    assert "names an LLM provider" in found["llm-key-outside-llmkeyvault"][0]
    assert "shape of an API key" in found["llm-key-outside-llmkeyvault"][0]
    assert "openai-api-key" not in found["llm-key-outside-llmkeyvault"][0], "no value is printed, names neither"


def replaced_first(key: str, value: str) -> Args:
    """A Secret in scope ``apps`` declared with delete-before-replace."""
    options = pulumi.ResourceOptions(delete_before_replace=True)
    return one(lambda: databricks.Secret(key, scope="apps", key=key, string_value=value, opts=options))


def test_secret_with_delete_before_replace_and_another_purpose_passes() -> None:
    assert violations(replaced_first("db-password", "hunter2-not-a-key")) == {}


#: a fake key in Anthropic's published format (sk-ant-api03-, 93 token characters, AA), which the
#: provider's key-material check recognises however it weighs shorter or looser shapes
REAL_FORMAT_KEY = "sk-ant-api03-" + "test" * 23 + "0AA"


def test_llm_key_by_value_shape_alone() -> None:
    assert guardrails.is_key_material(REAL_FORMAT_KEY)
    found = violations(replaced_first("token", REAL_FORMAT_KEY))
    assert list(found) == ["llm-key-outside-llmkeyvault"]
    assert REAL_FORMAT_KEY not in found["llm-key-outside-llmkeyvault"][0]


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


def serving(**config: Any) -> Args:
    typed: Any = config
    return one(lambda: databricks.ModelServing("chat", name="chat", config=typed))


@pytest.mark.parametrize("served", ["served_entities", "served_models"])
def test_a_literal_key_in_serving_environment_variables(served: str) -> None:
    entity: dict[str, Any] = {
        "name": "app",
        "environment_vars": {
            "OPENAI_API_KEY": FAKE_KEYS["openai"],
            "ANTHROPIC_API_KEY": "{{secrets/llm/anthropic-api-key}}",
            "LOG_LEVEL": "info",
        },
    }
    if served == "served_models":
        entity |= {"model_name": "m", "model_version": "1", "workload_size": "Small", "scale_to_zero_enabled": True}
    else:
        entity |= {"entity_name": "main.default.app", "entity_version": "1"}
    found = violations(serving(**{served: [entity]}))
    assert list(found) == ["no-plaintext-model-credentials"]
    (message,) = found["no-plaintext-model-credentials"]
    path = "servedEntities" if served == "served_entities" else "servedModels"
    assert f"config.{path}[0].environmentVars.OPENAI_API_KEY" in message
    # key material under any variable name, and any literal under a credential's name
    entity["environment_vars"] = {"CONFIG": REAL_FORMAT_KEY, "HF_TOKEN": "hf-not-a-reference"}
    assert len(violations(serving(**{served: [entity]}))["no-plaintext-model-credentials"]) == 2
    entity["environment_vars"] = {"OPENAI_API_KEY": "{{secrets/llm/openai-api-key}}"}
    assert violations(serving(**{served: [entity]})) == {}


@pytest.mark.parametrize(
    "external_model",
    [
        {
            "name": "c",
            "provider": "anthropic",
            "task": "llm/v1/chat",
            "anthropic_config": {"anthropic_api_key_plaintext": "k"},
        },
        {"name": "c", "provider": "cohere", "task": "llm/v1/chat", "cohere_config": {"cohere_api_key_plaintext": "k"}},
        {
            "name": "c",
            "provider": "amazon-bedrock",
            "task": "llm/v1/chat",
            "amazon_bedrock_config": {
                "aws_region": "eu-west-1",
                "bedrock_provider": "anthropic",
                "aws_secret_access_key_plaintext": "k",
            },
        },
        {
            "name": "c",
            "provider": "custom",
            "task": "llm/v1/chat",
            "custom_provider_config": {
                "custom_provider_url": "https://x",
                "api_key_auth": {"key": "k", "value_plaintext": "v"},
            },
        },
    ],
)
def test_plaintext_fields_under_every_external_model_shape(external_model: dict[str, Any]) -> None:
    """External models are served entities (servedModels has no externalModel)."""
    found = violations(serving(served_entities=[{"name": "e", "external_model": external_model}]))
    assert list(found) == ["no-plaintext-model-credentials"]


@pytest.mark.parametrize(
    "config",
    [
        {"anthropic": {"direct": {"api_key": {"plaintext": "k"}}}},
        {"azure_openai": {"direct": {"entra_service_principal": {"client_secret": {"plaintext": "k"}}}}},
        {"custom": {"direct": {"base_url": "https://x", "header_auth": {"api_key_value": {"plaintext": "k"}}}}},
    ],
)
def test_plaintext_fields_under_every_ai_gateway_shape(config: Any) -> None:
    service = one(
        lambda: databricks.AiGatewayModelProviderService(
            "svc", parent="schemas/main.default", model_provider_service_id="p", config=config
        )
    )
    assert list(violations(service)) == ["no-plaintext-model-credentials"]


#: every external-model field that takes a secret reference, with the config that holds it
REFERENCE_FIELDS = [
    ("openai", "openai_config", {"openai_api_key": "{}"}),
    ("openai", "openai_config", {"microsoft_entra_client_id": "c", "microsoft_entra_client_secret": "{}"}),
    ("anthropic", "anthropic_config", {"anthropic_api_key": "{}"}),
    ("cohere", "cohere_config", {"cohere_api_key": "{}"}),
    ("ai21labs", "ai21labs_config", {"ai21labs_api_key": "{}"}),
    ("palm", "palm_config", {"palm_api_key": "{}"}),
    (
        "databricks-model-serving",
        "databricks_model_serving_config",
        {"databricks_api_token": "{}", "databricks_workspace_url": "https://x"},
    ),
    (
        "amazon-bedrock",
        "amazon_bedrock_config",
        {"aws_region": "eu-west-1", "bedrock_provider": "anthropic", "aws_access_key_id": "{}"},
    ),
    (
        "amazon-bedrock",
        "amazon_bedrock_config",
        {"aws_region": "eu-west-1", "bedrock_provider": "anthropic", "aws_secret_access_key": "{}"},
    ),
    (
        "google-cloud-vertex-ai",
        "google_cloud_vertex_ai_config",
        {"project_id": "p", "region": "r", "private_key": "{}"},
    ),
    (
        "custom",
        "custom_provider_config",
        {"custom_provider_url": "https://x", "api_key_auth": {"key": "k", "value": "{}"}},
    ),
    ("custom", "custom_provider_config", {"custom_provider_url": "https://x", "bearer_token_auth": {"token": "{}"}}),
]


def _filled(value: Any, literal: str) -> Any:
    if isinstance(value, dict):
        return {k: _filled(v, literal) for k, v in value.items()}
    return literal if value == "{}" else value


@pytest.mark.parametrize(("provider", "config", "fields"), REFERENCE_FIELDS)
def test_a_literal_in_a_secret_reference_field_is_refused(provider: str, config: str, fields: dict[str, Any]) -> None:
    """The fields whose ``*Plaintext`` sibling takes the literal take only a reference."""

    def endpoint(value: str) -> Args:
        model = {"name": "m", "provider": provider, "task": "llm/v1/chat", config: _filled(fields, value)}
        return serving(served_entities=[{"name": "e", "external_model": model}])

    for literal in (REAL_FORMAT_KEY, FAKE_KEYS["openai"], "not-a-reference"):
        found = violations(endpoint(literal))
        assert list(found) == ["no-plaintext-model-credentials"], found
        (message,) = found["no-plaintext-model-credentials"]
        assert "config.servedEntities[0].externalModel." in message
        assert literal not in message
    assert violations(endpoint("{{secrets/llm/openai-api-key}}")) == {}


def test_a_literal_key_in_a_clusters_environment_or_spark_conf_is_refused() -> None:
    key = REAL_FORMAT_KEY
    env = {"OPENAI_API_KEY": key, "TOKENIZERS_PARALLELISM": "false", "ANTHROPIC_API_KEY": "{{secrets/llm/a}}"}
    conf = {"spark.openai.key": key, "spark.sql.shuffle.partitions": "8"}
    cluster = one(
        lambda: databricks.Cluster("analysis", spark_version="15.4.x-scala2.12", spark_env_vars=env, spark_conf=conf)
    )
    (messages,) = violations(cluster).values()
    assert list(violations(cluster)) == ["no-literal-keys-in-cluster-config"]
    assert len(messages) == 2
    assert any("sparkEnvVars.OPENAI_API_KEY" in m for m in messages)
    assert any("sparkConf.spark.openai.key" in m for m in messages)
    assert all(key not in m for m in messages)
    # a literal under an LLM provider's key variable, whatever its shape
    named = one(
        lambda: databricks.Cluster("named", spark_version="15.4.x-scala2.12", spark_env_vars={"HF_TOKEN": "abc"})
    )
    assert list(violations(named)) == ["no-literal-keys-in-cluster-config"]
    references = {"OPENAI_API_KEY": "{{secrets/llm/openai-api-key}}", "PYSPARK_PYTHON": "/databricks/python3"}
    clean = one(lambda: databricks.Cluster("clean", spark_version="15.4.x-scala2.12", spark_env_vars=references))
    assert violations(clean) == {}


def test_a_literal_key_in_a_jobs_or_pipelines_clusters_is_refused() -> None:
    key = REAL_FORMAT_KEY
    spec: Any = {"spark_version": "15.4.x-scala2.12", "num_workers": 1, "spark_env_vars": {"LLM_CONFIG": key}}
    task: Any = {"task_key": "t", "new_cluster": spec, "notebook_task": {"notebook_path": "/x"}}
    job = one(
        lambda: databricks.Job(
            "nightly", job_clusters=[{"job_cluster_key": "shared", "new_cluster": spec}], tasks=[task]
        )
    )
    (messages,) = violations(job).values()
    assert sorted(m.split(" sets ")[1].split(" ")[0] for m in messages) == [
        "jobClusters[0].newCluster.sparkEnvVars.LLM_CONFIG",
        "tasks[0].newCluster.sparkEnvVars.LLM_CONFIG",
    ]
    pipeline = one(lambda: databricks.Pipeline("etl", clusters=[{"label": "default", "spark_conf": {"k": key}}]))
    assert list(violations(pipeline)) == ["no-literal-keys-in-cluster-config"]


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

VAULT_URN = f"urn:pulumi:dev::proj::pulumi:pulumi:Stack${guardrails.VAULT_TYPE}::llm"


def stack_of(props: dict[str, Any], *extra: Callable[[LlmKeyVault], object], preview: bool = False) -> list[Args]:
    """The stack the engine hands the stack phase for one LlmKeyVault (its outputs as its
    props, no provider) and ``extra`` resources declared by the program with the
    component as their parent; without the llmkeyvault provider, which each test adds.
    ``preview``: a first preview, where what waits for a created resource is not known."""

    def build() -> pulumi.Output[Any]:
        vault = LlmKeyVault("llm", props)
        for declare in extra:
            declare(vault)
        return pulumi.Output.from_input(vault.outputs)

    run = run_with_mocks(build, preview=preview)
    return [as_args(r, run.registered_outputs.get(r.urn)) for r in run.registrations]


def child_of(vault: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=vault)


CHILD_CONFIGURATIONS = [
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
        "unityCatalog": {"catalog": "main", "schema": "llm", "createSchema": True, "grantUsage": True},
        "readers": ["ds"],
        "referencers": ["serving-sp"],
        "managers": ["admins"],
    },
    # every user, on purpose: the component's own grants are judged by llmkeyvault-workspace-users
    {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["ds"],
        "writers": ["Users"],
        "managers": ["admins"],
        "allowWorkspaceUsers": True,
    },
    {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["account users"],
        "backend": "unity-catalog",
        "unityCatalog": {"catalog": "main", "schema": "llm", "grantUsage": True},
        "allowWorkspaceUsers": True,
    },
]


@pytest.mark.parametrize("props", CHILD_CONFIGURATIONS)
def test_the_components_children_never_violate_a_mandatory_policy(props: dict[str, Any]) -> None:
    resources = [*stack_of(props), PLUGIN]
    types = {a.resource_type for a in resources}
    assert types & {guardrails.SECRET, guardrails.KEY_VAULT_SECRET, guardrails.SECRET_UC}
    children = [a for a in resources if a.opts.parent == VAULT_URN]
    assert children and all(guardrails.claims_vault_parent(a) for a in children)
    # the resource phase leaves every child to the stack phase
    assert all(violations(a) == {} for a in children)
    flagged = {rule for found in everywhere(resources).values() for rule in found}
    # only the advisory rule for every user, and exactly when such a group is granted something
    assert flagged == ({"llmkeyvault-workspace-users"} if props.get("allowWorkspaceUsers") else set())
    assert RULES["llmkeyvault-workspace-users"].level == "advisory"


def test_workspace_users_through_the_component_are_advisory() -> None:
    props = {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["ds"],
        "managers": ["users", "admins"],
        "allowWorkspaceUsers": True,
    }
    found = stack_violations([*stack_of(props), PLUGIN])
    assert {name: list(rules) for name, rules in found.items()} == {
        "llm-scope": ["llmkeyvault-workspace-users"],
        "llm-acl-users": ["llmkeyvault-workspace-users"],
    }
    (message,) = found["llm-scope"]["llmkeyvault-workspace-users"]
    assert "allowWorkspaceUsers" in message and "MANAGE" in message


def test_a_component_the_plugin_did_not_construct_exempts_nothing() -> None:
    """A program's own ComponentResource may claim the type: without the llmkeyvault
    provider in the stack, or without an LlmKeyVault's outputs, its children are judged
    as raw resources."""
    props = {"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}], "managers": ["users"]}
    props["allowWorkspaceUsers"] = True
    resources = stack_of(props)
    assert everywhere(resources) == {
        "llm-scope": {"no-workspace-users-manage-scope"},
        "llm-acl-users": {"no-workspace-wide-secret-write"},
        "llm-secret/openai-api-key": {"llm-key-outside-llmkeyvault"},
    }
    # With the provider, but outputs that are not an LlmKeyVault's: the same.
    fake = [
        Args(a.resource_type, {"note": "claims the type"}, a.urn, a.name, a.opts, a.provider_type)
        if a.resource_type == guardrails.VAULT_TYPE
        else a
        for a in resources
    ]
    assert everywhere([*fake, PLUGIN]) == everywhere(resources)
    # A custom resource (it has a provider) is never a component.
    custom = [replace(a, provider_type=guardrails.VAULT_PROVIDER_TYPE) if a.urn == VAULT_URN else a for a in resources]
    assert everywhere([*custom, PLUGIN]) == everywhere(resources)


def test_a_copy_of_a_real_components_state_exempts_only_what_that_state_lists() -> None:
    """The documented limit: nothing the engine records tells a program's own component
    from the plugin's, so one that copies a real component's state into a stack that holds
    an llmkeyvault provider exempts what that state lists, and nothing else."""
    props = {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["users"],
        "allowWorkspaceUsers": True,
    }
    (real,) = [a for a in stack_of(props) if a.urn == VAULT_URN]
    copy_urn = VAULT_URN.replace("::llm", "::copy")
    copy = replace(real, urn=copy_urn, name="copy")
    children = [
        Args(guardrails.SECRET_ACL, {"scope": "llm", "principal": "users", "permission": p}, f"{copy_urn}-{n}", n, o)
        for p, n, o in (("READ", "listed", Opts(parent=copy_urn)), ("WRITE", "unlisted", Opts(parent=copy_urn)))
    ]
    assert everywhere([copy, *children, PLUGIN]) == {
        "listed": {"llmkeyvault-workspace-users"},
        "unlisted": {"no-workspace-wide-secret-write"},
    }


def test_a_claimed_component_that_lists_its_own_grants_is_reported_by_the_workspace_users_policy() -> None:
    """The same limit with nothing copied: beside a real component (the llmkeyvault
    provider present), a program's component whose own outputs list 'users' MANAGE and
    WRITE exempts those grants from the grant policies. They are still reported, by
    ``llmkeyvault-workspace-users``, which policy configuration can make mandatory."""
    props = {"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}], "readers": ["data-science"]}
    (real,) = [a for a in stack_of(props) if a.urn == VAULT_URN]
    claimed_urn = VAULT_URN.replace("::llm", "::claimed")
    everyone = [
        {"scope": "claimed", "principal": "users", "permission": "MANAGE"},
        {"scope": "claimed", "principal": "users", "permission": "WRITE"},
    ]
    claimed = replace(real, urn=claimed_urn, name="claimed", props={**real.props, "grants": everyone})
    databricks_provider = "pulumi:providers:databricks"
    children = [
        Args(
            guardrails.SECRET_SCOPE,
            {"name": "claimed", "initialManagePrincipal": "users"},
            f"{claimed_urn}-scope",
            "claimed-scope",
            Opts(parent=claimed_urn),
            databricks_provider,
        ),
        Args(
            guardrails.SECRET_ACL,
            {"scope": "claimed", "principal": "users", "permission": "WRITE"},
            f"{claimed_urn}-acl",
            "claimed-acl",
            Opts(parent=claimed_urn),
            databricks_provider,
        ),
    ]
    fired = everywhere([real, claimed, *children, PLUGIN])
    assert fired == {"claimed-scope": {"llmkeyvault-workspace-users"}, "claimed-acl": {"llmkeyvault-workspace-users"}}
    assert RULES["llmkeyvault-workspace-users"].level == "advisory"


def secret_under(vault: pulumi.Resource, name: str, scope: str, key: str) -> databricks.Secret:
    """A raw Secret that a program places under the component, replaced delete-before-replace."""
    opts = pulumi.ResourceOptions(parent=vault, delete_before_replace=True)
    return databricks.Secret(name, scope=scope, key=key, string_value="x", opts=opts)


SIDESTEPS: list[tuple[str, Callable[[pulumi.Resource], object], set[str]]] = [
    (
        "acl",
        lambda v: databricks.SecretAcl("acl", scope="llm", principal="users", permission="MANAGE", opts=child_of(v)),
        {"no-workspace-wide-secret-write"},
    ),
    (
        "scope",
        lambda v: databricks.SecretScope("scope", name="other", initial_manage_principal="users", opts=child_of(v)),
        {"no-workspace-users-manage-scope"},
    ),
    (
        "grants",
        lambda v: databricks.Grants(
            "grants",
            secret="main.llm.openai-api-key",
            grants=[databricks.GrantsGrantArgs(principal="account users", privileges=["MANAGE"])],
            opts=child_of(v),
        ),
        {"no-workspace-wide-secret-write"},
    ),
    (
        "readall",
        lambda v: databricks.SecretAcl("readall", scope="llm", principal="users", permission="READ", opts=child_of(v)),
        {"workspace-wide-secret-read"},
    ),
    (
        "pasted",
        lambda v: databricks.Secret("pasted", scope="llm", key="groq-api-key", string_value="x", opts=child_of(v)),
        {"secret-delete-before-replace", "llm-key-outside-llmkeyvault"},
    ),
    (
        "samekey",  # the component's key name, in a scope of its own
        lambda v: secret_under(v, "samekey", "elsewhere", "openai-api-key"),
        {"llm-key-outside-llmkeyvault"},
    ),
]


@pytest.mark.parametrize(("name", "declare", "expected"), SIDESTEPS, ids=[s[0] for s in SIDESTEPS])
def test_a_raw_resource_parented_under_a_real_component_is_judged_as_raw(
    name: str, declare: Callable[[pulumi.Resource], object], expected: set[str]
) -> None:
    """The component made none of these; its outputs say so, so they exempt nothing."""
    props = {"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}], "readers": ["ds"]}
    resources = [*stack_of(props, declare), PLUGIN]
    (raw,) = [a for a in resources if a.name == name]
    assert raw.opts.parent == VAULT_URN
    assert violations(raw) == {}, "left to the stack phase"
    assert everywhere(resources) == {name: expected}


def test_the_components_own_users_grant_does_not_cover_another_scope_or_level() -> None:
    props = {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["users"],
        "allowWorkspaceUsers": True,
    }
    extra = [
        lambda v: databricks.SecretAcl(
            "other", scope="elsewhere", principal="users", permission="READ", opts=child_of(v)
        ),
        lambda v: databricks.SecretAcl("higher", scope="llm", principal="USERS", permission="manage", opts=child_of(v)),
    ]
    fired = everywhere([*stack_of(props, *extra), PLUGIN])
    assert fired == {
        "llm-acl-users": {"llmkeyvault-workspace-users"},
        "other": {"workspace-wide-secret-read"},
        "higher": {"no-workspace-wide-secret-write"},
    }


#: per backend: a component with a unique suffix whose inputs grant a group of every user,
#: and the child that carries that grant
UNIQUE_SUFFIX_VAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "databricks": ({"managers": ["users"]}, "llm-scope"),
    "azure-keyvault": (
        {"backend": "azure-keyvault", "keyVault": {"resourceId": KEY_VAULT_ID}, "readers": ["Users"]},
        "llm-acl-users",
    ),
    "unity-catalog": (
        {
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "main", "schema": "llm"},
            "readers": ["account users"],
        },
        "llm-grants/openai_api_key_<suffix>",
    ),
}


@pytest.fixture
def first_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mocks as in a first preview: a RandomId's hex is not known until it is created."""
    new_resource = support.mocks._Mocks.new_resource

    def unknown_hex(self: Any, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, outputs = new_resource(self, args)
        if args.typ == "random:index/randomId:RandomId":
            outputs.pop("hex", None)
        return resource_id, outputs

    monkeypatch.setattr(support.mocks._Mocks, "new_resource", unknown_hex)


def first_scope(vault: LlmKeyVault) -> pulumi.Output[str]:
    return vault.scopes.apply(lambda scopes: scopes[0])


@pytest.mark.parametrize("backend", sorted(UNIQUE_SUFFIX_VAULTS))
def test_a_component_whose_names_are_not_known_yet(first_preview: None, backend: str) -> None:
    """In a preview before a unique suffix exists, the component's outputs and its children's
    names are not known: its keys are still its own, and its own grant to every user is
    matched on what its inputs asked for (principal, permission, the child's type)."""
    vault, child = UNIQUE_SUFFIX_VAULTS[backend]
    props = {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        **vault,
        "uniqueSuffix": True,
        "allowWorkspaceUsers": True,
    }
    resources = stack_of(props, preview=True)
    (component,) = [a for a in resources if a.urn == VAULT_URN]
    assert component.props["grants"] == guardrails.UNKNOWN, "a first preview: the names wait for the suffix"
    assert component.props["grantsAsked"], "what the inputs asked for is known"
    # on Databricks, MANAGE for every user is also an ACL of its own beside the scope's
    also = ["llm-acl-users"] if backend == "databricks" else []
    assert everywhere([*resources, PLUGIN]) == {c: {"llmkeyvault-workspace-users"} for c in (child, *also)}
    # Without the llmkeyvault provider in the stack the component is not taken for one.
    raw = everywhere(resources)[child]
    assert raw and "llmkeyvault-workspace-users" not in raw


def test_before_the_names_are_known_only_what_the_inputs_asked_is_exempt(first_preview: None) -> None:
    """A raw grant under the component is judged as raw in a first preview unless it is
    what the component's inputs asked for, of the type that carries it, on a target not
    known either; and a component of another backend exempts no scope ACL."""
    props = {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["users"],
        "uniqueSuffix": True,
        "allowWorkspaceUsers": True,
    }
    extra = [
        lambda v: databricks.SecretAcl(
            "known", scope="elsewhere", principal="users", permission="READ", opts=child_of(v)
        ),
        lambda v: databricks.SecretAcl(
            "higher", scope=first_scope(v), principal="users", permission="MANAGE", opts=child_of(v)
        ),
        lambda v: databricks.SecretScope(
            "scope", name=first_scope(v), initial_manage_principal="users", opts=child_of(v)
        ),
        lambda v: databricks.SecretAcl(
            "same", scope=first_scope(v), principal="USERS", permission="read", opts=child_of(v)
        ),
        # a key of a known place is not the component's, whose places are not known yet
        lambda v: secret_under(v, "pasted", "llm", "groq-api-key"),
    ]
    fired = everywhere([*stack_of(props, *extra, preview=True), PLUGIN])
    assert fired == {
        "llm-acl-users": {"llmkeyvault-workspace-users"},
        "known": {"workspace-wide-secret-read"},
        "higher": {"no-workspace-wide-secret-write"},
        "scope": {"no-workspace-users-manage-scope"},
        # what is known of it is what the component was asked to grant: judged as the component's own
        "same": {"llmkeyvault-workspace-users"},
        "pasted": {"llm-key-outside-llmkeyvault"},
    }
    # A UC grant of what a scope-backed component was asked for is not of the type that carries it.
    props = {**props, "readers": [], "managers": ["users"]}
    grants = [databricks.GrantsGrantArgs(principal="users", privileges=["MANAGE"])]
    extra = [lambda v: databricks.Grants("grants", secret=first_scope(v), grants=grants, opts=child_of(v))]
    fired = everywhere([*stack_of(props, *extra, preview=True), PLUGIN])
    assert fired["grants"] == {"no-workspace-wide-secret-write"}


def test_the_components_own_expired_key_is_not_a_mandatory_violation() -> None:
    past = (datetime.now(timezone.utc) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    props = {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"], "expiresAt": past}],
        "backend": "unity-catalog",
        "unityCatalog": {"catalog": "main", "schema": "llm"},
    }
    resources = stack_of(props)
    (secret,) = [a for a in resources if a.resource_type == guardrails.SECRET_UC]
    assert secret.props.get("expireTime"), "the child carries the expiry"
    assert everywhere([*resources, PLUGIN]) == {}
    # The same secret outside a real component is caught, and so is one of the same name
    # in another schema under the real one.
    assert "no-expired-keys" in everywhere(resources)[secret.name]
    elsewhere = replace(secret, name="elsewhere", urn=secret.urn + "-2", props={**secret.props, "schemaName": "other"})
    assert everywhere([*resources, PLUGIN, elsewhere]) == {
        "elsewhere": {"no-expired-keys", "llm-key-outside-llmkeyvault"}
    }


def test_the_same_resources_outside_the_component_violate() -> None:
    """The children's exemption comes from their parent alone: the same inputs without it are caught."""
    for args in stack_of({"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}], "readers": ["ds"]}):
        if args.resource_type == guardrails.SECRET:
            orphan = Args(
                args.resource_type, args.props, f"urn:pulumi:dev::proj::{guardrails.SECRET}::x", args.name, Opts()
            )
            assert sorted(violations(orphan)) == ["llm-key-outside-llmkeyvault", "secret-delete-before-replace"]
            break
    else:
        raise AssertionError("the component registered no Secret")


# --------------------------------------------------------------------------- catalogs and schemas holding secrets


def container_grant(kind: str, name: str, principal: str, privileges: list[str]) -> Callable[[], object]:
    entries = [databricks.GrantsGrantArgs(principal=principal, privileges=privileges)]
    if kind == "schema":
        return lambda: databricks.Grants(f"on-{kind}", schema=name, grants=entries)
    return lambda: databricks.Grants(f"on-{kind}", catalog=name, grants=entries)


def uc_secret() -> object:
    return databricks.SecretUc("uc", catalog_name="Main", schema_name="llm", name="openai-key", value="x")


@pytest.mark.parametrize(
    ("kind", "name", "privileges"),
    [
        ("schema", "main.llm", ["ALL_PRIVILEGES"]),
        ("schema", "MAIN.LLM", ["read secret"]),
        ("schema", "main.llm", ["Manage"]),
        ("catalog", "main", ["all privileges"]),
        ("catalog", "main", ["READ_SECRET", "USE_CATALOG"]),
    ],
)
def test_grants_on_the_schema_or_catalog_holding_secrets(kind: str, name: str, privileges: list[str]) -> None:
    resources = registered(lambda: (uc_secret(), container_grant(kind, name, "Account Users", privileges)()))
    fired = everywhere(resources)
    assert fired[f"on-{kind}"] == {"no-workspace-wide-secret-container-grant"}
    (message,) = stack_violations(resources)[f"on-{kind}"]["no-workspace-wide-secret-container-grant"]
    assert "Account Users" not in message and "account users" not in message, "no principal is printed"


def test_grants_on_other_containers_or_to_named_groups_pass() -> None:
    for grant in (
        container_grant("catalog", "other", "account users", ["ALL_PRIVILEGES"]),
        container_grant("schema", "main.other", "account users", ["READ_SECRET"]),
        container_grant("schema", "main.llm", "data-science", ["ALL_PRIVILEGES"]),
        container_grant("schema", "main.llm", "account users", ["USE_SCHEMA", "SELECT"]),
    ):
        resources = registered(lambda: (uc_secret(), grant()))  # noqa: B023 (called at once)
        assert "on-catalog" not in everywhere(resources) and "on-schema" not in everywhere(resources)
    # The component's UC secrets count too, through its secretFullNames output.
    props = {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "backend": "unity-catalog",
        "unityCatalog": {"catalog": "main", "schema": "llm"},
    }
    resources = [*stack_of(props), PLUGIN, *registered(container_grant("schema", "main.llm", "users", ["MANAGE"]))]
    assert everywhere(resources) == {"on-schema": {"no-workspace-wide-secret-container-grant"}}


# --------------------------------------------------------------------------- what the pack shares with the provider


def test_the_pack_takes_types_groups_and_key_shapes_from_the_provider() -> None:
    from llmkeyvault_provider import children as provider_children
    from llmkeyvault_provider import rules as provider_rules
    from llmkeyvault_provider.args import Backend
    from llmkeyvault_provider.schema import VAULT_TYPE

    assert guardrails.rules is provider_rules
    assert guardrails.EVERYONE is provider_rules.EVERYONE_GROUPS
    assert guardrails.VAULT_TYPE == VAULT_TYPE
    assert (guardrails.SECRET_SCOPE, guardrails.SECRET, guardrails.SECRET_ACL) == (
        provider_children.SECRET_SCOPE,
        provider_children.SECRET,
        provider_children.SECRET_ACL,
    )
    assert not hasattr(guardrails, "KEY_SHAPE"), "no key-shape check of the pack's own"
    assert set(guardrails.GRANTING_CHILDREN) == {b.value for b in Backend}, "every backend"
    for value in (FAKE_KEYS["openai"], "data-science-readers", "{{secrets/llm/openai-api-key}}"):
        assert guardrails.is_key_material(value) == (provider_rules.key_material_problem(value) is not None)


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
# The stack call: a component's child, with the provider of the llmkeyvault package in the stack or not.
from pulumi_policy import PolicyResource, PolicyProviderResource, StackValidationArgs
import llmkeyvault_provider
out["provider_package"] = llmkeyvault_provider.__file__
vault_urn = "urn:pulumi:dev::p::llmkeyvault:index:LlmKeyVault::llm"
def resource(type_, props, name, parent=None, provider=None):
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)
    prov = None
    if provider:
        prov = PolicyProviderResource(provider, {}, "urn:pulumi:dev::p::" + provider + "::default", "default")
    urn = "urn:pulumi:dev::p::" + type_ + "::" + name
    return PolicyResource(type_, unknown_checking_proxy(props), urn, name, opts, prov, None, [], {})
outputs = {key: {} for key in ("scopeNames", "secretKeys", "secretReferences", "environmentVariables",
                                "secretFullNames", "expirations", "externalModels")}
outputs |= {"scopes": ["llm"], "externalKeys": [], "backend": "databricks",
            "grants": [{"scope": "llm", "principal": "users", "permission": "MANAGE"}]}
scope = resource("databricks:index/secretScope:SecretScope", {"name": "llm", "initialManagePrincipal": "users"},
                 "llm-scope", vault_urn, "pulumi:providers:databricks")
vault = resource("llmkeyvault:index:LlmKeyVault", outputs, "llm")
plugin = resource("pulumi:providers:llmkeyvault", {}, "default")
for case, resources in (("real", [vault, scope, plugin]), ("impostor", [vault, scope])):
    found = []
    for rule in RULES:
        policy = ns["policy"](rule)
        if isinstance(policy, pulumi_policy.StackValidationPolicy):
            policy.validate(StackValidationArgs(resources), lambda message, urn, rule=rule: found.append(rule.name))
    # the resource call leaves the child to the stack call
    for rule in RULES:
        ns["policy"](rule).validate(ResourceValidationArgs(scope.resource_type, scope.props, scope.urn, scope.name,
            scope.opts, None, None), lambda message, urn, rule=rule: found.append("resource:" + rule.name))
    out[case] = sorted(found)
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
    # The stack call reaches every policy: a component's child is judged there, with its parent in view.
    assert out["real"] == ["llmkeyvault-workspace-users"]
    assert out["impostor"] == ["no-workspace-users-manage-scope"]
    # The pack judges with the checkout's provider package.
    assert out["provider_package"].startswith(str(ROOT / "provider"))


def test_every_rule_is_documented() -> None:
    docs = (ROOT / "docs" / "policy.md").read_text()
    for name in RULES:
        assert f"`{name}`" in docs
    assert "policy.md" in (ROOT / "README.md").read_text()
