"""What the component reads from the stack's saved state: the names its children were created
with, so that a new spelling of the same scope or vault, or a key made external, deletes nothing.
The engine runs are in ``test_e2e_hostile.py``; these check the pieces under Pulumi's mocks."""

from typing import Any

import pulumi
import pytest
from conftest import FAKE_KEYS, assert_no_key_in
from llmkeyvault_provider import InvalidInput, LlmKeyVault
from llmkeyvault_provider.children import kept_spelling
from llmkeyvault_provider.lookups import Previous, children_in_state, component_type_chain
from support.mocks import Run, run_with_mocks

pytestmark = pytest.mark.component

VAULT = "llmkeyvault:index:LlmKeyVault"
SCOPE = "databricks:index/secretScope:SecretScope"
SECRET = "databricks:index/secret:Secret"
KV_SECRET = "azure-native:keyvault:Secret"
PREFIX = f"urn:pulumi:dev::proj::{VAULT}$"
RID = (
    "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm-keys"
)


def build(previous: Previous, **inputs: Any) -> Run:
    return run_with_mocks(lambda: LlmKeyVault("llm", inputs, previous=previous))


@pytest.mark.parametrize(
    ("former", "name", "kept"),
    [
        ("Team-LLM", "team-llm", "Team-LLM"),  # the same scope: the created spelling stays
        ("team-llm", "team-llm", "team-llm"),
        ("team-a", "team-b", "team-b"),  # a real rename
        (None, "team-llm", "team-llm"),  # nothing saved
        (3, "team-llm", "team-llm"),
    ],
)
def test_a_name_keeps_its_created_spelling_only_when_case_alone_differs(former: object, name: str, kept: str) -> None:
    assert kept_spelling(former, name) == kept


def test_the_component_type_chain_leaves_the_root_stack_out() -> None:
    assert component_type_chain(None, VAULT) == VAULT
    assert component_type_chain("urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", VAULT) == VAULT
    parent = "urn:pulumi:dev::proj::my:index:Platform$my:index:Team::team"
    assert component_type_chain(parent, VAULT) == f"my:index:Platform$my:index:Team${VAULT}"


def test_only_direct_children_and_only_their_names_are_kept() -> None:
    resources = {
        f"{PREFIX}{SECRET}::llm-secret/openai-api-key": {
            "type": SECRET,
            "outputs": {"scope": "Team-LLM", "key": "openai-api-key", "stringValue": FAKE_KEYS["openai"]},
        },
        f"{PREFIX}{SCOPE}::llm-scope": {"type": SCOPE, "outputs": {"name": "Team-LLM", "backendType": "DATABRICKS"}},
        # a grandchild, another component's type chain, another stack
        f"{PREFIX}my:index:Inner${SECRET}::deeper": {"type": SECRET, "outputs": {"scope": "x", "key": "y"}},
        f"urn:pulumi:dev::proj::my:index:Other${SECRET}::llm-secret/openai-api-key": {"outputs": {"key": "z"}},
        f"urn:pulumi:prod::proj::{VAULT}${SECRET}::llm-secret/openai-api-key": {"outputs": {"key": "w"}},
    }
    previous = children_in_state(resources, "dev", "proj", VAULT)
    assert dict(previous.children) == {
        (SECRET, "llm-secret/openai-api-key"): {"scope": "Team-LLM", "key": "openai-api-key"},
        (SCOPE, "llm-scope"): {"name": "Team-LLM"},
    }
    assert_no_key_in(repr(previous))
    assert previous.urn(SECRET, "llm-secret/x") == f"{PREFIX}{SECRET}::llm-secret/x"


def test_a_new_spelling_of_the_scope_keeps_the_created_one() -> None:
    previous = Previous({(SCOPE, "llm-scope"): {"name": "Team-LLM"}}, PREFIX)
    run = build(previous, scopeName="team-llm", providers=[{"name": "openai", "apiKey": FAKE_KEYS["openai"]}])
    assert run.named("llm-scope").inputs["name"] == "Team-LLM"
    assert run.named("llm-secret/openai-api-key").inputs["scope"] == "Team-LLM"
    assert run.outputs["scopeNames"] == {"openai": "team-llm"}


def test_a_renamed_scope_is_renamed() -> None:
    previous = Previous({(SCOPE, "llm-scope"): {"name": "team-a"}}, PREFIX)
    run = build(previous, scopeName="team-b", providers=[{"name": "openai", "apiKey": FAKE_KEYS["openai"]}])
    assert run.named("llm-scope").inputs["name"] == "team-b"


def test_a_new_spelling_of_the_key_vault_keeps_the_created_one() -> None:
    # A Key Vault secret's saved outputs do not name its vault: the scope's metadata does.
    saved: dict[tuple[str, str], dict[str, Any]] = {
        (SCOPE, "llm-scope"): {
            "name": "llm",
            "keyvaultMetadata": {"resourceId": RID, "dnsName": "https://kv-llm-keys.vault.azure.net/"},
        },
    }
    respelt = RID.replace("rg-llm", "RG-LLM").replace("kv-llm-keys", "KV-LLM-KEYS")
    run = build(
        Previous(saved, PREFIX),
        backend="azure-keyvault",
        keyVault={"resourceId": respelt},
        providers=[{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
    )
    assert run.named("llm-scope").inputs["keyvaultMetadata"]["resourceId"] == RID
    secret = run.named("llm-secret/openai-api-key").inputs
    assert (secret["resourceGroupName"], secret["vaultName"]) == ("rg-llm", "kv-llm-keys")


def test_a_key_vault_secret_made_external_is_refused_with_two_steps() -> None:
    refusals: list[str] = []
    saved = {(KV_SECRET, "llm-secret/openai-api-key"): {"secretName": "openai-api-key"}}

    def program() -> Any:
        try:
            LlmKeyVault(
                "llm",
                {
                    "backend": "azure-keyvault",
                    "keyVault": {"resourceId": RID},
                    "providers": [{"name": "openai", "external": True}],
                },
                previous=Previous(saved, PREFIX),
            )
        except InvalidInput as e:
            refusals.append(str(e))
        return pulumi.Output.from_input(1)

    run = run_with_mocks(program)
    assert len(refusals) == 1
    assert "providers[0].external" in refusals[0] and "Make the change in two steps" in refusals[0]
    assert f"`pulumi state delete '{PREFIX}{KV_SECRET}::llm-secret/openai-api-key'`" in refusals[0]
    assert [r.type for r in run.registrations if r.type != "pulumi:pulumi:Stack"] == []


def test_an_external_key_never_created_by_the_stack_is_not_refused() -> None:
    run = build(
        Previous({}, PREFIX),
        backend="azure-keyvault",
        keyVault={"resourceId": RID},
        providers=[{"name": "openai", "external": True}],
    )
    assert run.named("llm-scope").type == SCOPE
    assert [r for r in run.registrations if r.type == KV_SECRET] == []
