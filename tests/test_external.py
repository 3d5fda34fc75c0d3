"""Keys kept outside Pulumi (``ProviderKey.external``) and the deploying identity's own MANAGE
(``deployerAcl``), in process under Pulumi's mocks, with the data sources answered here."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from conftest import FAKE_KEYS, assert_no_key_in
from llmkeyvault_provider import InvalidInput, LlmKeyVault
from llmkeyvault_provider.args import read_args
from llmkeyvault_provider.errors import Problems
from llmkeyvault_provider.lookups import CURRENT_USER, SECRET_UC
from llmkeyvault_provider.plan import keep_deployer, plan_vault
from support.mocks import Run, run_with_mocks

pytestmark = pytest.mark.component

SCOPE = "databricks:index/secretScope:SecretScope"
SECRET = "databricks:index/secret:Secret"
ACL = "databricks:index/secretAcl:SecretAcl"
KV_SECRET = "azure-native:keyvault:Secret"
UC_SECRET = "databricks:index/secretUc:SecretUc"
GRANTS = "databricks:index/grants:Grants"
RID = (
    "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm-keys"
)
UC = {"backend": "unity-catalog", "unityCatalog": {"catalog": "main", "schema": "llm"}}
DEPLOYER = "ci-deployer-sp"


def current_user(name: str | None = DEPLOYER) -> dict[str, Any]:
    return {CURRENT_USER: lambda _: {"userName": name} if name else {}}


def build(inputs: dict[str, Any], answers: dict[str, Any] | None = None) -> Run:
    return run_with_mocks(lambda: LlmKeyVault("llm", inputs), answers=answers)


def external(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "external": True, **fields}


def managed(name: str) -> dict[str, Any]:
    return {"name": name, "apiKey": FAKE_KEYS[name]}


def refusal(inputs: dict[str, Any], answers: dict[str, Any] | None = None) -> str:
    with pytest.raises(InvalidInput) as caught:
        build(inputs, answers)
    return str(caught.value)


# --- external keys ------------------------------------------------------------------------


def test_databricks_external_has_no_secret_child_and_the_same_references() -> None:
    run = build({"providers": [external("openai"), external("anthropic"), managed("cohere")], "readers": ["ds"]})
    assert [r.name for r in run.of_type(SECRET)] == ["llm-secret/cohere-api-key"]
    assert [r.name for r in run.of_type(SCOPE)] == ["llm-scope"]
    assert [r.name for r in run.of_type(ACL)] == ["llm-acl-ds"]
    assert run.outputs["externalKeys"] == ["anthropic", "openai"]
    assert run.outputs["secretReferences"] == {
        "openai": "{{secrets/llm/openai-api-key}}",
        "anthropic": "{{secrets/llm/anthropic-api-key}}",
        "cohere": "{{secrets/llm/cohere-api-key}}",
    }
    assert run.outputs["environmentVariables"]["OPENAI_API_KEY"] == "{{secrets/llm/openai-api-key}}"


def test_key_vault_external_has_no_vault_secret_child_and_no_suffix_on_its_name() -> None:
    inputs = {
        "providers": [external("openai"), managed("cohere")],
        "backend": "azure-keyvault",
        "keyVault": {"resourceId": RID},
        "uniqueSuffix": True,
    }
    run = build(inputs)
    assert [r.name for r in run.of_type(KV_SECRET)] == ["llm-secret/cohere-api-key-<suffix>"]
    # The external key's name is the one its writer uses; the managed one carries the suffix.
    assert run.outputs["secretKeys"]["openai"] == "openai-api-key"
    assert run.outputs["secretKeys"]["cohere"].startswith("cohere-api-key-")
    assert run.outputs["externalKeys"] == ["openai"]


def test_unity_catalog_external_is_granted_but_never_created() -> None:
    seen: list[str] = []

    def exists(args: dict[str, Any]) -> dict[str, Any]:
        seen.append(args["fullName"])
        return {"fullName": args["fullName"]}

    inputs = {**UC, "providers": [external("openai"), managed("cohere")], "readers": ["ds"]}
    run = build(inputs, {SECRET_UC: exists})
    assert [r.name for r in run.of_type(UC_SECRET)] == ["llm-secret/cohere_api_key"]
    grants = {r.name: r for r in run.of_type(GRANTS)}
    assert set(grants) == {"llm-grants/cohere_api_key"}  # authoritative on its own secret only
    # the external secret is not the component's: one Grant per principal, its owners' grants kept
    grant = {r.name: r for r in run.of_type("databricks:index/grant:Grant")}["llm-grants/openai_api_key/ds"]
    assert grant.inputs == {"secret": "main.llm.openai_api_key", "principal": "ds", "privileges": ["READ_SECRET"]}
    assert seen == ["main.llm.openai_api_key"]  # only the external one is looked up
    assert run.outputs["secretFullNames"]["openai"] == "main.llm.openai_api_key"


def test_unity_catalog_external_that_does_not_exist_is_refused_with_its_name_and_the_command() -> None:
    def missing(args: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, [("fullName", f"RESOURCE_DOES_NOT_EXIST: Secret '{args['fullName']}' does not exist.")]

    run = Run()
    with pytest.raises(InvalidInput) as caught:
        run_with_mocks(
            lambda: LlmKeyVault("llm", {**UC, "providers": [managed("cohere"), external("openai")]}),
            answers={SECRET_UC: missing},
            run=run,
        )
    text = str(caught.value)
    assert "providers[1].external" in text
    assert "'main.llm.openai_api_key' does not exist" in text
    assert "databricks secrets-uc create-secret --json @secret.json (secret.json: " in text
    assert "openai_api_key" in text.split("create-secret", 1)[1]
    assert run.registrations == []  # refused before anything, the component included, is registered


def test_api_key_with_external_or_neither_is_refused_with_the_field_path() -> None:
    both = refusal({"providers": [{**managed("openai"), "external": True}]})
    assert "providers[0].apiKey: must not be given with external: true" in both
    assert_no_key_in(both)
    neither = refusal({"providers": [{"name": "openai"}]})
    assert "providers[0].apiKey: is required" in neither and "unless external is true" in neither


def test_an_all_external_vault_registers_nothing_that_holds_a_value() -> None:
    run = build({"providers": [external("openai"), external("anthropic")], "managers": ["platform"]})
    assert {r.type for r in run.registrations} == {"llmkeyvault:index:LlmKeyVault", SCOPE, ACL}
    text = json.dumps([r.inputs for r in run.registrations]) + json.dumps(run.outputs)
    assert_no_key_in(text)


def test_external_with_adopt_writes_nothing_and_imports_the_rest() -> None:
    run = build({"providers": [external("openai")], "adopt": True, "readers": ["ds"]})
    assert run.of_type(SECRET) == []
    assert run.named("llm-scope").import_id == "llm"
    assert run.named("llm-acl-ds").import_id == "llm|||ds"


def test_external_with_scope_per_provider_and_its_own_readers() -> None:
    inputs = {
        "providers": [external("openai", readers=["bot"]), managed("cohere")],
        "scopePerProvider": True,
    }
    run = build(inputs)
    assert sorted(r.name for r in run.of_type(SCOPE)) == ["llm-scope-cohere", "llm-scope-openai"]
    assert [r.name for r in run.of_type(SECRET)] == ["llm-secret-cohere/cohere-api-key"]
    assert run.named("llm-acl-openai/bot").inputs["scope"] == "llm-openai"


# --- the deploying identity ----------------------------------------------------------------


def test_deployer_keeps_manage_on_every_scope_and_is_listed_in_grants() -> None:
    inputs = {"providers": [managed("openai"), managed("cohere")], "scopePerProvider": True, "readers": ["ds"]}
    run = build(inputs, current_user())
    for provider in ("openai", "cohere"):
        acl = run.named(f"llm-acl-{provider}/{DEPLOYER}")
        assert acl.inputs == {"scope": f"llm-{provider}", "principal": DEPLOYER, "permission": "MANAGE"}
        assert not acl.import_id
    assert {"scope": "llm-openai", "principal": DEPLOYER, "permission": "MANAGE"} in run.outputs["grants"]


def test_deployer_acl_is_created_not_imported_when_adopting() -> None:
    run = build({"providers": [managed("openai")], "adopt": True, "readers": ["ds"]}, current_user())
    assert not run.named(f"llm-acl-{DEPLOYER}").import_id
    assert run.named("llm-acl-ds").import_id == "llm|||ds"


@pytest.mark.parametrize(
    "inputs",
    [
        {"managers": [DEPLOYER.upper()]},  # a manager already, however spelled
        {"deployerAcl": False},
    ],
)
def test_no_deployer_acl_when_a_manager_already_or_turned_off(inputs: dict[str, Any]) -> None:
    run = build({"providers": [managed("openai")], **inputs}, current_user())
    assert all(r.inputs["principal"] != DEPLOYER for r in run.of_type(ACL))
    assert all(g["principal"] != DEPLOYER for g in run.outputs["grants"])


def test_workspace_users_managing_does_not_stand_in_for_the_deployer() -> None:
    """'users' holds MANAGE through an ACL that destroy deletes beside the keys (and that an
    adoption's step 4 moves off MANAGE): the deployer keeps an ACL of its own."""
    inputs = {"managers": ["users"], "allowWorkspaceUsers": True, "workspaceUsersAcl": True}
    run = build({"providers": [managed("openai")], **inputs}, current_user())
    assert {(r.inputs["principal"], r.inputs["permission"]) for r in run.of_type(ACL)} == {
        ("users", "MANAGE"),
        (DEPLOYER, "MANAGE"),
    }


def test_no_deployer_acl_when_the_data_source_names_nobody() -> None:
    run = build({"providers": [managed("openai")]}, current_user(None))
    assert run.of_type(ACL) == []


def test_unity_catalog_asks_for_no_deployer() -> None:
    asked: list[str] = []

    def who(_: dict[str, Any]) -> dict[str, Any]:
        asked.append("me")
        return {"userName": DEPLOYER}

    run = build({**UC, "providers": [managed("openai")]}, {CURRENT_USER: who})
    assert asked == [] and run.outputs["grants"] == []


def test_deployer_listed_as_reader_or_writer_is_refused_with_the_path() -> None:
    text = refusal({"providers": [managed("openai")], "readers": ["ds", DEPLOYER]}, current_user())
    assert f"readers[1]: '{DEPLOYER}' is the deploying identity" in text
    assert "deployerAcl" in text


def test_plan_is_pure_given_the_deployer() -> None:
    args = read_args({"providers": [managed("openai")], "writers": ["etl"]}, Problems())
    plan = keep_deployer(args, plan_vault("llm", args, Problems()), DEPLOYER)
    assert [(g.principal, g.permission, g.resource_name) for g in plan.grants] == [
        (DEPLOYER, "MANAGE", f"llm-acl-{DEPLOYER}"),
        ("etl", "WRITE", "llm-acl-etl"),
    ]
    problems = Problems()
    args = read_args({"providers": [managed("openai")], "deployerAcl": False}, problems)
    keep_deployer(args, plan_vault("llm", args, problems), "x")
    assert not problems


def test_the_deployers_acl_is_retained_on_delete_and_the_preview_says_so() -> None:
    """The deployer's ACL is named after whoever ran the update: retained on delete, an update
    by another identity (an admin's) never revokes the earlier deployer's MANAGE."""
    with mock.patch("pulumi.log.info") as info:
        run = build({"providers": [managed("openai")], "readers": ["ds"]}, current_user())
    assert run.named(f"llm-acl-{DEPLOYER}").retain_on_delete
    assert not run.named("llm-acl-ds").retain_on_delete
    notes = [str(c.args[0]) for c in info.call_args_list]
    assert any("retained on delete" in n and "deployerAcl" in n for n in notes), notes
