"""The in-process component under Pulumi mocks: exactly which children, with
which inputs and options, and that keys stay secret."""

import asyncio
import json
from typing import Any
from unittest import mock

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
        (SECRET, "llm-secret/anthropic-api-key"),
        (SECRET, "llm-secret/openai-api-key"),
        (ACL, "llm-acl-data-science"),
        (ACL, "llm-acl-etl-sp"),
        (SCOPE, "llm-scope"),
    ]
    scope = run.named("llm-scope")
    assert scope.inputs == {"name": "llm", "backendType": "DATABRICKS"}
    assert scope.custom and scope.version == "1.118.0" and scope.delete_before_replace
    secret = run.named("llm-secret/openai-api-key")
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
    asked = [{"principal": "ds", "permission": "READ"}]
    assert run.registered_outputs[VAULT_URN] == {**run.outputs, "grantsAsked": asked}, "and what the inputs asked for"


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
    assert run.named("llm-secret/mistral-api-key").inputs["stringValue"] == secret_value(FAKE_KEYS["mistral"])
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
        (SECRET, "llm-secret-anthropic/anthropic-api-key"),
        (SECRET, "llm-secret-openai/openai-api-key"),
        (ACL, "llm-acl-anthropic/ops"),
        (ACL, "llm-acl-openai/chatbot-sp"),
        (ACL, "llm-acl-openai/ops"),
        (SCOPE, "llm-scope-anthropic"),
        (SCOPE, "llm-scope-openai"),
    ]
    assert run.named("llm-secret-anthropic/anthropic-api-key").inputs["scope"] == "keys-anthropic"
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
    # and an ACL of its own too: the scope ignores later changes of initialManagePrincipal
    assert [r.inputs["principal"] for r in run.of_type(ACL)] == ["ds", "users"]
    assert run.named("llm-scope").ignore_changes == ["initialManagePrincipal"]
    assert {"scope": "llm", "principal": "users", "permission": "MANAGE"} in run.outputs["grants"]


def test_no_initial_manage_principal_otherwise() -> None:
    run = build(providers=keys("openai"), managers=["ops"])
    assert "initialManagePrincipal" not in run.named("llm-scope").inputs


def test_key_vault_backend_writes_keys_into_the_vault() -> None:
    run = build(
        providers=keys("openai", "anthropic"), backend="azure-keyvault", keyVault={"resourceId": RID}, readers=["ds"]
    )
    assert children(run) == [
        (KV_SECRET, "llm-secret/anthropic-api-key"),
        (KV_SECRET, "llm-secret/openai-api-key"),
        (ACL, "llm-acl-ds"),
        (SCOPE, "llm-scope"),
    ]
    assert run.named("llm-scope").inputs == {
        "name": "llm",
        "backendType": "AZURE_KEYVAULT",
        "keyvaultMetadata": {"resourceId": RID, "dnsName": "https://kv-llm-keys.vault.azure.net/"},
    }
    vault_secret = run.named("llm-secret/openai-api-key")
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
    assert children(run) == [(SECRET, "llm-secret/openai-api-key"), (SCOPE, "llm-scope")]


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
        assert run.named(f"llm-secret/{name}-api-key").inputs["stringValue"] == secret_value(FAKE_KEYS[name])
    assert run.named("llm").inputs == {}
    assert_no_key_in(json.dumps(resolved["state"]))


def secret_children(run: Run) -> dict[str, tuple[str, Any]]:
    """Each secret child's name -> (its key, its value as registered)."""
    return {
        r.name: (r.inputs.get("key") or r.inputs.get("secretName") or r.inputs["name"], r.inputs)
        for r in run.registrations
        if r.type in (SECRET, KV_SECRET, UC_SECRET)
    }


def acl_names(run: Run) -> dict[str, str]:
    return {r.name: r.inputs["principal"] for r in run.of_type(ACL)}


UC_SECRET = "databricks:index/secretUc:SecretUc"
UC_GRANTS = "databricks:index/grants:Grants"
UC = {"backend": "unity-catalog", "unityCatalog": {"catalog": "main", "schema": "llm"}}


def test_a_renamed_provider_that_keeps_its_key_is_the_same_child() -> None:
    before = build(providers=[{"name": "openai", "apiKey": FAKE_KEYS["openai"], "secretKey": "openai-api-key"}])
    after = build(providers=[{"name": "openai-prod", "apiKey": FAKE_KEYS["openai"], "secretKey": "openai-api-key"}])
    assert list(secret_children(before)) == list(secret_children(after)) == ["llm-secret/openai-api-key"]


def test_a_key_moved_to_another_provider_is_the_same_child() -> None:
    before = build(
        providers=[
            {"name": "openai", "apiKey": FAKE_KEYS["openai"]},
            {"name": "anthropic", "apiKey": FAKE_KEYS["anthropic"], "secretKey": "shared-key"},
        ]
    )
    after = build(providers=[{"name": "openai", "apiKey": FAKE_KEYS["openai"], "secretKey": "shared-key"}])
    assert "llm-secret/shared-key" in secret_children(before)
    assert list(secret_children(after)) == ["llm-secret/shared-key"]
    assert secret_children(after)["llm-secret/shared-key"][1]["stringValue"] == secret_value(FAKE_KEYS["openai"])


def test_swapped_keys_keep_their_children_and_swap_values() -> None:
    def swap(first: str, second: str) -> Run:
        return build(
            providers=[
                {"name": "openai", "apiKey": FAKE_KEYS["openai"], "secretKey": first},
                {"name": "anthropic", "apiKey": FAKE_KEYS["anthropic"], "secretKey": second},
            ]
        )

    before, after = secret_children(swap("key-a", "key-b")), secret_children(swap("key-b", "key-a"))
    assert sorted(before) == sorted(after) == ["llm-secret/key-a", "llm-secret/key-b"]
    assert before["llm-secret/key-a"][1]["stringValue"] == after["llm-secret/key-b"][1]["stringValue"]


def test_a_principal_is_named_without_case_and_carries_its_former_name() -> None:
    run = build(providers=keys("openai"), readers=["Alice@Example.com"], writers=["etl-sp"])
    assert acl_names(run) == {"llm-acl-alice@example.com": "Alice@Example.com", "llm-acl-etl-sp": "etl-sp"}
    assert run.named("llm-acl-alice@example.com").aliases == ["llm-acl-Alice@Example.com"]
    assert run.named("llm-acl-etl-sp").aliases == []  # its 0.2.0 name is its name
    assert acl_names(build(providers=keys("openai"), readers=["alice@example.com"])) == {
        "llm-acl-alice@example.com": "alice@example.com"
    }


def test_children_carry_their_0_2_0_names_as_aliases() -> None:
    run = build(providers=keys("openai"), readers=["ds"])
    assert run.named("llm-secret/openai-api-key").aliases == ["llm-secret-openai"]
    per_provider = build(providers=keys("openai"), scopePerProvider=True, readers=["Ops"])
    assert per_provider.named("llm-secret-openai/openai-api-key").aliases == ["llm-secret-openai"]
    assert per_provider.named("llm-acl-openai/ops").aliases == ["llm-acl-openai/Ops"]
    # The suffix and the scopes keep the names they had.
    suffixed = build(providers=keys("openai"), uniqueSuffix=True)
    assert suffixed.named("llm-suffix").aliases == [] and suffixed.named("llm-scope").aliases == []


def test_key_vault_secrets_are_named_without_case_and_ignore_a_new_spelling() -> None:
    kv = {"backend": "azure-keyvault", "keyVault": {"resourceId": RID}}
    run = build(providers=[{"name": "openai", "apiKey": FAKE_KEYS["openai"], "secretKey": "OpenAI-Key"}], **kv)
    secret = run.named("llm-secret/openai-key")
    assert secret.inputs["secretName"] == "OpenAI-Key"
    assert secret.ignore_changes == ["secretName"] and secret.aliases == ["llm-secret-openai"]
    suffixed = build(providers=keys("openai"), uniqueSuffix=True, **kv)
    assert list(secret_children(suffixed)) == ["llm-secret/openai-api-key-<suffix>"]


def test_uc_secrets_and_grants_are_named_by_the_secret_without_case() -> None:
    run = build(
        providers=[{"name": "openai", "apiKey": FAKE_KEYS["openai"], "secretKey": "OpenAI_Key"}],
        readers=["DS"],
        **UC,
    )
    secret = run.named("llm-secret/openai_key")
    assert secret.inputs["name"] == "OpenAI_Key"
    assert secret.ignore_changes == ["name"] and secret.aliases == ["llm-secret-openai"]
    grants = run.named("llm-grants/openai_key")
    assert grants.delete_before_replace and grants.aliases == ["llm-grants-openai"]
    renamed = build(
        providers=[{"name": "openai-prod", "apiKey": FAKE_KEYS["openai"], "secretKey": "openai_key"}],
        readers=["ds"],
        **UC,
    )
    assert [r.name for r in renamed.of_type(UC_SECRET)] == ["llm-secret/openai_key"]
    assert [r.name for r in renamed.of_type(UC_GRANTS)] == ["llm-grants/openai_key"]
    suffixed = build(providers=keys("openai"), uniqueSuffix=True, **UC)
    assert [r.name for r in suffixed.of_type(UC_SECRET)] == ["llm-secret/openai_api_key_<suffix>"]


def warned(**inputs: Any) -> tuple[Run, list[str]]:
    with mock.patch("pulumi.log.warn") as warn:
        run = build(**inputs)
    return run, [str(c.args[0]) for c in warn.call_args_list]


def test_an_adopted_scope_is_retained_on_delete_and_says_so() -> None:
    run, logs = warned(providers=keys("openai"), readers=["ds"], scopeName="llm-keys", adopt=True)
    assert run.named("llm-scope").retain_on_delete
    assert not run.named("llm-secret/openai-api-key").retain_on_delete
    assert not run.named("llm-acl-ds").retain_on_delete
    assert any("'llm-keys' is retained on delete while adopt is set" in line for line in logs), logs
    fresh, logs = warned(providers=keys("openai"), readers=["ds"], scopeName="llm-keys")
    assert not fresh.named("llm-scope").retain_on_delete
    assert not any("retained on delete" in line for line in logs)


def test_retain_on_delete_on_the_component_is_kept_by_every_child() -> None:
    run = run_with_mocks(
        lambda: LlmKeyVault(
            "llm", {"providers": keys("openai"), "readers": ["ds"]}, pulumi.ResourceOptions(retain_on_delete=True)
        )
    )
    assert all(r.retain_on_delete for r in run.registrations if r.parent == VAULT_URN)
    assert len([r for r in run.registrations if r.parent == VAULT_URN]) == 3


def test_usage_grants_are_retained_on_delete_and_warn_of_nothing_they_would_replace() -> None:
    run, logs = warned(providers=keys("openai"), readers=["ds"], **UC)
    usage = run.of_type("databricks:index/grant:Grant")
    assert sorted(r.name for r in usage) == ["llm-use-catalog-ds", "llm-use-schema-ds"]
    assert all(r.retain_on_delete and r.delete_before_replace for r in usage)
    # They keep what each principal holds (tests/test_usage.py): nothing to warn of.
    assert not any("grantUsage" in line for line in logs), logs
    assert not run.named("llm-secret/openai_api_key").retain_on_delete


def test_a_secret_principal_is_named_by_the_digest_of_its_identity() -> None:
    def vault(reader: str) -> Run:
        inputs = {"providers": keys("openai"), "readers": [reader]}
        return run_with_mocks(lambda: LlmKeyVault("llm", inputs, secret_inputs=("readers",)))

    upper, lower = vault("Team-Readers"), vault("team-readers")
    (acl,) = upper.of_type(ACL)
    assert [r.name for r in lower.of_type(ACL)] == [acl.name]
    assert acl.name.startswith("llm-acl-principal-") and "eam-" not in acl.name
    (former,) = acl.aliases
    assert former.startswith("llm-acl-principal-") and former != acl.name
