"""The children are registered through the generic resource API by type
token. Here the same resources are declared through the typed SDKs of
pulumi-databricks, pulumi-random and pulumi-azure-native, and what reaches the
engine must be identical: type token, property names, values and version."""

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure_native.keyvault as keyvault
import pulumi_databricks as databricks
import pulumi_random as random
import pytest
from conftest import FAKE_KEYS
from llmkeyvault_provider import LlmKeyVault
from support.mocks import run_with_mocks

pytestmark = pytest.mark.component

RID = (
    "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm"
)
DNS = "https://kv-llm.vault.azure.net/"


def requests(program: Callable[[], Any]) -> dict[str, Any]:
    """What ``program`` registers under mocks, by resource name."""
    return {r.name: r for r in run_with_mocks(program).registrations}


def vault_requests(args: dict[str, Any]) -> dict[str, Any]:
    return requests(lambda: LlmKeyVault("llm", args))


def same_request(ours: Any, typed: Any) -> None:
    assert ours.type == typed.type
    assert json.dumps(ours.inputs, sort_keys=True) == json.dumps(typed.inputs, sort_keys=True)
    assert ours.version == typed.version
    assert set(ours.additional_secret_outputs) <= set(typed.additional_secret_outputs) | {"properties"}


def test_databricks_children_match_the_typed_sdk() -> None:
    key = FAKE_KEYS["openai"]
    ours = vault_requests(
        {
            "providers": [{"name": "openai", "apiKey": key}],
            "uniqueSuffix": True,
            "managers": ["users"],
            "readers": ["ds"],
            "allowWorkspaceUsers": True,
        }
    )

    def typed_program() -> pulumi.Output[Any]:
        random.RandomId("llm-suffix", byte_length=4)
        databricks.SecretScope(
            "llm-scope", name="llm-0a1b2c3d", backend_type="DATABRICKS", initial_manage_principal="users"
        )
        databricks.Secret(
            "llm-secret/openai-api-key",
            key="openai-api-key",
            scope="llm-0a1b2c3d",
            string_value=pulumi.Output.secret(key),
        )
        databricks.SecretAcl("llm-acl-ds", scope="llm-0a1b2c3d", principal="ds", permission="READ")
        return pulumi.Output.from_input(1)

    typed = requests(typed_program)
    for name in ("llm-suffix", "llm-scope", "llm-secret/openai-api-key", "llm-acl-ds"):
        same_request(ours[name], typed[name])


def test_key_vault_children_match_the_typed_sdks() -> None:
    key = FAKE_KEYS["anthropic"]
    ours = vault_requests(
        {
            "providers": [{"name": "anthropic", "apiKey": key}],
            "backend": "azure-keyvault",
            "keyVault": {"resourceId": RID},
        }
    )

    def typed_program() -> pulumi.Output[Any]:
        databricks.SecretScope(
            "llm-scope",
            name="llm",
            backend_type="AZURE_KEYVAULT",
            keyvault_metadata=databricks.SecretScopeKeyvaultMetadataArgs(resource_id=RID, dns_name=DNS),
        )
        keyvault.Secret(
            "llm-secret/anthropic-api-key",
            resource_group_name="rg-llm",
            vault_name="kv-llm",
            secret_name="anthropic-api-key",
            properties=keyvault.SecretPropertiesArgs(value=pulumi.Output.secret(key)),
        )
        return pulumi.Output.from_input(1)

    typed = requests(typed_program)
    for name in ("llm-scope", "llm-secret/anthropic-api-key"):
        same_request(ours[name], typed[name])
