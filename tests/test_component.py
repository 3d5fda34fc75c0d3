"""The in-process component under Pulumi mocks: exactly which children, with
which inputs and options, and that keys stay secret."""

import asyncio
import json
from typing import Any

import pulumi
import pytest
from conftest import FAKE_KEYS, assert_no_key_in
from llmkeyvault_provider import InvalidInput, LlmKeyVault, LlmKeyVaultArgs, ProviderKeyArgs
from support.mocks import Run, run_with_mocks
from support.standin_engine import SECRET_SIG, SIG_KEY

pytestmark = pytest.mark.component

SCOPE = "databricks:index/secretScope:SecretScope"
SECRET = "databricks:index/secret:Secret"
ACL = "databricks:index/secretAcl:SecretAcl"
RANDOM = "random:index/randomId:RandomId"
KV_SECRET = "azure-native:keyvault:Secret"
VAULT_URN = "urn:pulumi:dev::proj::pulumi:pulumi:Stack$llmkeyvault:index:LlmKeyVault::llm"
RID = (
    "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm-keys"
)


def build(**inputs: Any) -> Run:
    return run_with_mocks(lambda: LlmKeyVault("llm", inputs))


def children(run: Run) -> list[tuple[str, str]]:
    return sorted((r.type, r.name) for r in run.registrations if r.parent == VAULT_URN)


def keys(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "apiKey": FAKE_KEYS[n]} for n in names]


def secret_value(value: str) -> dict[str, str]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def test_default_children_inputs_and_options() -> None:
    run = build(providers=keys("openai", "anthropic"), readers=["data-science"], writers=["etl-sp"])
    assert children(run) == [
        (SECRET, "llm-secret-anthropic"),
        (SECRET, "llm-secret-openai"),
        (ACL, "llm-acl-data-science"),
        (ACL, "llm-acl-etl-sp"),
        (SCOPE, "llm-scope"),
    ]
    scope = run.named("llm-scope")
    assert scope.inputs == {"name": "llm", "backendType": "DATABRICKS"}
    assert scope.custom and scope.version == "1.118.0" and scope.delete_before_replace
    secret = run.named("llm-secret-openai")
    assert secret.inputs == {"scope": "llm", "key": "openai-api-key", "stringValue": secret_value(FAKE_KEYS["openai"])}
    assert secret.dependencies == [scope.urn]
    assert secret.additional_secret_outputs == ["stringValue"]
    acl = run.named("llm-acl-data-science")
    assert acl.inputs == {"scope": "llm", "principal": "data-science", "permission": "READ"}
    assert acl.dependencies == [scope.urn]
    assert run.named("llm-acl-etl-sp").inputs["permission"] == "WRITE"


def test_rotation_cannot_lose_a_key() -> None:
    """Every Databricks child whose identity survives a replacement is deleted before it is recreated:
    create-before-delete of a Secret deletes the key it just wrote (pulumi-databricks issue 642)."""
    run = build(providers=keys("openai"), managers=["platform"])
    for registration in run.registrations:
        if registration.type in (SECRET, ACL, SCOPE):
            assert registration.delete_before_replace, registration.name


def test_outputs() -> None:
    run = build(providers=keys("openai", "huggingface"), readers=["ds"])
    assert run.outputs == {
        "scopeNames": {"openai": "llm", "huggingface": "llm"},
        "scopes": ["llm"],
        "secretKeys": {"openai": "openai-api-key", "huggingface": "huggingface-api-key"},
        "secretReferences": {
            "openai": "{{secrets/llm/openai-api-key}}",
            "huggingface": "{{secrets/llm/huggingface-api-key}}",
        },
        "environmentVariables": {
            "OPENAI_API_KEY": "{{secrets/llm/openai-api-key}}",
            "HF_TOKEN": "{{secrets/llm/huggingface-api-key}}",
        },
        "grants": [{"scope": "llm", "principal": "ds", "permission": "READ"}],
        "backend": "databricks",
        "secretFullNames": {},
        "expirations": {},
        "externalModels": {
            "openai": {"provider": "openai", "openaiConfig": {"openaiApiKey": "{{secrets/llm/openai-api-key}}"}}
        },
        "externalKeys": [],
    }
    assert run.registered_outputs[VAULT_URN] == run.outputs


def test_keys_are_secret_and_never_the_components_own_props() -> None:
    run = build(providers=keys("openai", "anthropic", "cohere"), readers=["ds"])
    vault = run.named("llm")
    assert vault.inputs == {}
    for registration in run.registrations:
        if registration.type == SECRET:
            assert registration.inputs["stringValue"][SIG_KEY] == SECRET_SIG
        else:
            assert_no_key_in(json.dumps(registration.inputs))
    assert_no_key_in(json.dumps(run.registered_outputs))
    assert_no_key_in(json.dumps(run.outputs))


def test_typed_args_and_output_keys() -> None:
    def program() -> LlmKeyVault:
        key = pulumi.Output.secret(FAKE_KEYS["mistral"])
        return LlmKeyVault("llm", LlmKeyVaultArgs(providers=[ProviderKeyArgs("mistral", key)], managers=["ops"]))

    run = run_with_mocks(program)
    assert run.named("llm-secret-mistral").inputs["stringValue"] == secret_value(FAKE_KEYS["mistral"])
    assert run.outputs["environmentVariables"] == {"MISTRAL_API_KEY": "{{secrets/llm/mistral-api-key}}"}


def test_unique_suffix() -> None:
    run = build(providers=keys("openai"), uniqueSuffix=True, readers=["ds"])
    random_id = run.named("llm-suffix")
    assert (random_id.type, random_id.inputs, random_id.version) == (RANDOM, {"byteLength": 4.0}, "4.21.4")
    assert run.named("llm-scope").inputs["name"] == "llm-0a1b2c3d"
    assert run.named("llm-scope").dependencies == [random_id.urn]
    assert run.outputs["scopes"] == ["llm-0a1b2c3d"]
    assert run.outputs["secretReferences"] == {"openai": "{{secrets/llm-0a1b2c3d/openai-api-key}}"}
    assert run.outputs["grants"] == [{"scope": "llm-0a1b2c3d", "principal": "ds", "permission": "READ"}]


def test_scope_per_provider() -> None:
    providers = keys("openai", "anthropic")
    providers[0]["readers"] = ["chatbot-sp"]
    run = build(providers=providers, scopePerProvider=True, scopeName="keys", managers=["ops"])
    assert children(run) == [
        (SECRET, "llm-secret-anthropic"),
        (SECRET, "llm-secret-openai"),
        (ACL, "llm-acl-anthropic/ops"),
        (ACL, "llm-acl-openai/chatbot-sp"),
        (ACL, "llm-acl-openai/ops"),
        (SCOPE, "llm-scope-anthropic"),
        (SCOPE, "llm-scope-openai"),
    ]
    assert run.named("llm-secret-anthropic").inputs["scope"] == "keys-anthropic"
    assert run.named("llm-acl-openai/chatbot-sp").inputs == {
        "scope": "keys-openai",
        "principal": "chatbot-sp",
        "permission": "READ",
    }
    assert run.outputs["scopes"] == ["keys-anthropic", "keys-openai"]
    assert run.outputs["scopeNames"] == {"openai": "keys-openai", "anthropic": "keys-anthropic"}


def test_workspace_users_manage_is_the_scopes_initial_manage_principal() -> None:
    run = build(providers=keys("openai"), managers=["users"], readers=["ds"], allowWorkspaceUsers=True)
    assert run.named("llm-scope").inputs["initialManagePrincipal"] == "users"
    assert [r.inputs["principal"] for r in run.of_type(ACL)] == ["ds"]  # no ACL resource for users
    assert {"scope": "llm", "principal": "users", "permission": "MANAGE"} in run.outputs["grants"]


def test_no_initial_manage_principal_otherwise() -> None:
    run = build(providers=keys("openai"), managers=["ops"])
    assert "initialManagePrincipal" not in run.named("llm-scope").inputs


def test_key_vault_backend_writes_keys_into_the_vault() -> None:
    run = build(
        providers=keys("openai", "anthropic"), backend="azure-keyvault", keyVault={"resourceId": RID}, readers=["ds"]
    )
    assert children(run) == [
        (KV_SECRET, "llm-secret-anthropic"),
        (KV_SECRET, "llm-secret-openai"),
        (ACL, "llm-acl-ds"),
        (SCOPE, "llm-scope"),
    ]
    assert run.named("llm-scope").inputs == {
        "name": "llm",
        "backendType": "AZURE_KEYVAULT",
        "keyvaultMetadata": {"resourceId": RID, "dnsName": "https://kv-llm-keys.vault.azure.net/"},
    }
    vault_secret = run.named("llm-secret-openai")
    assert vault_secret.inputs == {
        "resourceGroupName": "rg-llm",
        "vaultName": "kv-llm-keys",
        "secretName": "openai-api-key",
        "properties": {"value": secret_value(FAKE_KEYS["openai"])},
    }
    assert vault_secret.version == "3.29.0"
    assert run.outputs["backend"] == "azure-keyvault"
    assert run.outputs["secretReferences"]["openai"] == "{{secrets/llm/openai-api-key}}"


def test_bad_input_registers_nothing() -> None:
    refusals: list[str] = []

    def program() -> Any:
        try:
            LlmKeyVault("llm", {"providers": keys("openai"), "readers": ["ds"], "managers": ["ds"]})
        except InvalidInput as e:
            refusals.append(str(e))
        return pulumi.Output.from_input(1)

    run = run_with_mocks(program)
    assert "managers[0]" in refusals[0]
    assert [r.type for r in run.registrations if r.type != "pulumi:pulumi:Stack"] == []


def test_providers_as_an_output_is_refused_in_process() -> None:
    with pytest.raises(InvalidInput) as caught:
        run_with_mocks(lambda: LlmKeyVault("llm", {"providers": pulumi.Output.secret(keys("openai"))}))
    assert "providers" in str(caught.value)
    assert_no_key_in(str(caught.value))


def test_preview_with_an_unknown_key_still_plans_every_child() -> None:
    def unknown_secret() -> pulumi.Output[str]:
        async def value(v: Any) -> Any:
            return v

        return pulumi.Output(set(), value(None), value(False), value(True))

    def program() -> LlmKeyVault:
        return LlmKeyVault("llm", {"providers": [{"name": "openai", "apiKey": unknown_secret()}]})

    run = run_with_mocks(program, preview=True)
    assert children(run) == [(SECRET, "llm-secret-openai"), (SCOPE, "llm-scope")]


@pytest.mark.parametrize(("backend", "limit"), [("databricks", 128 * 1024), ("azure-keyvault", 25 * 1024)])
def test_a_key_too_large_for_the_backend_is_refused_without_echo(backend: str, limit: int) -> None:
    big = "sk-test-" + "x" * limit
    extra = {"keyVault": {"resourceId": RID}} if backend == "azure-keyvault" else {}
    with pytest.raises(Exception) as caught:
        run_with_mocks(
            lambda: LlmKeyVault("llm", {"providers": [{"name": "openai", "apiKey": big}], "backend": backend, **extra})
        )
    assert "providers[0].apiKey" in str(caught.value)
    assert big not in str(caught.value) and "xxxxxxxx" not in str(caught.value)
    asyncio.set_event_loop(asyncio.new_event_loop())


def test_children_use_the_providers_given_to_the_component() -> None:
    """A stack that targets a given workspace passes its own databricks provider; every
    databricks child must use it (and no other package's child may)."""

    def program() -> LlmKeyVault:
        workspace = pulumi.ProviderResource("databricks", "team-workspace", {"host": "https://example.invalid"})
        return LlmKeyVault(
            "llm",
            {"providers": keys("openai"), "readers": ["ds"], "uniqueSuffix": True},
            pulumi.ResourceOptions(providers={"databricks": workspace}),
        )

    run = run_with_mocks(program)
    databricks_children = [r for r in run.registrations if r.type.startswith("databricks:")]
    assert len(databricks_children) == 3
    for child in databricks_children:
        assert "pulumi:providers:databricks::team-workspace" in child.provider, child.name
    assert "team-workspace" not in run.named("llm-suffix").provider


def test_provider_construct_in_process_with_a_whole_secret_list() -> None:
    """Provider.construct called directly, as a test harness or another host would: the
    `providers` list arrives as one secret Output with schema (camelCase) names."""
    from llmkeyvault_provider import Provider

    resolved: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        inputs = {"providers": pulumi.Output.secret(keys("openai", "cohere")), "readers": ["ds"]}
        result = Provider().construct("llm", "llmkeyvault:index:LlmKeyVault", inputs, pulumi.ResourceOptions())
        return pulumi.Output.all(urn=result.urn, state=pulumi.Output.all(**result.state)).apply(resolved.update)

    run = run_with_mocks(program)
    assert resolved["state"]["secretReferences"] == {
        "openai": "{{secrets/llm/openai-api-key}}",
        "cohere": "{{secrets/llm/cohere-api-key}}",
    }
    for name in ("openai", "cohere"):
        assert run.named(f"llm-secret-{name}").inputs["stringValue"] == secret_value(FAKE_KEYS[name])
    assert run.named("llm").inputs == {}
    assert_no_key_in(json.dumps(resolved["state"]))
