"""The workspace emulator stands in for the real providers only if it speaks
their language: every resource type it serves must exist in the real typed SDK
under the same token, and every property name it takes or returns must be one
of that SDK's wire names. The emulator's schema comes from its plugins through
the real engine (`pulumi package get-schema`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pulumi_azure_native.keyvault as keyvault
import pulumi_databricks as databricks
import pulumi_random as random
import pytest
import yaml

from devtools.local_stack import BIN, EMULATOR, ROOT, pulumi_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# token -> (resource class, its Args class) in the typed SDKs the children are checked against
TYPED = {
    "databricks:index/secretScope:SecretScope": (databricks.SecretScope, databricks.SecretScopeArgs),
    "databricks:index/secret:Secret": (databricks.Secret, databricks.SecretArgs),
    "databricks:index/secretAcl:SecretAcl": (databricks.SecretAcl, databricks.SecretAclArgs),
    "databricks:index/secretUc:SecretUc": (databricks.SecretUc, databricks.SecretUcArgs),
    "databricks:index/grants:Grants": (databricks.Grants, databricks.GrantsArgs),
    "databricks:index/grant:Grant": (databricks.Grant, databricks.GrantArgs),
    "databricks:index/schema:Schema": (databricks.Schema, databricks.SchemaArgs),
    "databricks:index/modelServing:ModelServing": (databricks.ModelServing, databricks.ModelServingArgs),
    "databricks:index/aiGatewayModelProviderService:AiGatewayModelProviderService": (
        databricks.AiGatewayModelProviderService,
        databricks.AiGatewayModelProviderServiceArgs,
    ),
    "random:index/randomId:RandomId": (random.RandomId, random.RandomIdArgs),
    "azure-native:keyvault:Secret": (keyvault.Secret, keyvault.SecretArgs),
}


def wire_names(cls: type) -> set[str]:
    """The property names a typed SDK class puts on the wire (its `@pulumi.getter` names)."""
    return {
        getattr(member.fget, "_pulumi_name")  # noqa: B009 - set by @pulumi.getter, unknown to type checkers
        for member in vars(cls).values()
        if isinstance(member, property) and hasattr(member.fget, "_pulumi_name")
    }


@pytest.fixture(scope="module")
def emulated(engine_ready: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("pulumi-home")
    resources: dict[str, Any] = {}
    for package in ("databricks", "random", "azure-native"):
        done = subprocess.run(
            [str(BIN / "pulumi"), "package", "get-schema", str(EMULATOR / f"pulumi-resource-{package}")],
            env=pulumi_env(home, LLMKEYVAULT_EMULATOR_DIR=str(home / "workspace")),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        schema = json.loads(done.stdout)
        assert schema["name"] == package
        resources.update(schema["resources"])
    return resources


def test_the_emulator_serves_exactly_the_types_checked_here(emulated: dict[str, Any]) -> None:
    assert set(emulated) == set(TYPED)


def test_nested_type_names_are_the_real_providers(emulated: dict[str, Any]) -> None:
    """The Grants list items and the Unity Catalog inputs the emulator reads by name."""
    assert wire_names(databricks.GrantsGrantArgs) == {"principal", "privileges"}
    for token in ("databricks:index/grants:Grants", "databricks:index/grant:Grant"):
        assert {"catalog", "schema", "secret", "modelProviderService"} <= set(emulated[token]["inputProperties"])
    assert {"value", "expireTime", "owner", "catalogName", "schemaName", "name"} <= set(
        emulated["databricks:index/secretUc:SecretUc"]["inputProperties"]
    )


def with_plaintext(*names: str) -> set[str]:
    """Credential fields: each beside its ``...Plaintext`` twin."""
    return {*names, *(f"{name}Plaintext" for name in names)}


# What the emulator reads inside ModelServing.config and AiGatewayModelProviderService.config
# (emulator/internal/provider/serving.go), against the typed SDK's input types.
SERVING_NAMES = {
    "ModelServingConfigArgs": {"servedEntities"},
    "ModelServingConfigServedEntityArgs": {"externalModel", "environmentVars"},
    "ModelServingConfigServedEntityExternalModelArgs": {
        "provider",
        "task",
        "name",
        "ai21labsConfig",
        "amazonBedrockConfig",
        "anthropicConfig",
        "cohereConfig",
        "customProviderConfig",
        "databricksModelServingConfig",
        "googleCloudVertexAiConfig",
        "openaiConfig",
        "palmConfig",
    },
    "ModelServingConfigServedEntityExternalModelAi21labsConfigArgs": with_plaintext("ai21labsApiKey"),
    "ModelServingConfigServedEntityExternalModelAmazonBedrockConfigArgs": with_plaintext(
        "awsAccessKeyId", "awsSecretAccessKey"
    ),
    "ModelServingConfigServedEntityExternalModelAnthropicConfigArgs": with_plaintext("anthropicApiKey"),
    "ModelServingConfigServedEntityExternalModelCohereConfigArgs": with_plaintext("cohereApiKey"),
    "ModelServingConfigServedEntityExternalModelDatabricksModelServingConfigArgs": with_plaintext("databricksApiToken"),
    "ModelServingConfigServedEntityExternalModelGoogleCloudVertexAiConfigArgs": with_plaintext("privateKey"),
    "ModelServingConfigServedEntityExternalModelOpenaiConfigArgs": with_plaintext(
        "openaiApiKey", "microsoftEntraClientSecret"
    ),
    "ModelServingConfigServedEntityExternalModelPalmConfigArgs": with_plaintext("palmApiKey"),
    "AiGatewayModelProviderServiceConfigArgs": {"providerType", "openai"},
    "AiGatewayModelProviderServiceConfigOpenaiDirectApiKeyArgs": {"plaintext", "secretReference"},
    "AiGatewayModelProviderServiceConfigOpenaiDirectApiKeySecretReferenceArgs": {"name"},
}


@pytest.mark.parametrize("type_name", sorted(SERVING_NAMES))
def test_names_read_inside_serving_configs_are_the_real_providers(type_name: str) -> None:
    names = SERVING_NAMES[type_name]
    assert names <= wire_names(getattr(databricks, type_name)), names - wire_names(getattr(databricks, type_name))


@pytest.mark.parametrize("token", sorted(TYPED))
def test_property_names_are_the_real_providers(emulated: dict[str, Any], token: str) -> None:
    resource_cls, args_cls = TYPED[token]
    emulated_inputs = set(emulated[token].get("inputProperties", {}))
    emulated_outputs = set(emulated[token].get("properties", {}))
    assert emulated_inputs, token
    assert emulated_inputs <= wire_names(args_cls), emulated_inputs - wire_names(args_cls)
    assert emulated_outputs <= wire_names(resource_cls) | {"id"}, emulated_outputs - wire_names(resource_cls)


def test_the_names_the_component_sends_are_served(emulated: dict[str, Any]) -> None:
    from llmkeyvault_provider import children

    sent = {
        children.SECRET_SCOPE: {"name", "backendType", "initialManagePrincipal", "keyvaultMetadata"},
        children.SECRET: {"key", "scope", "stringValue"},
        children.SECRET_ACL: {"scope", "principal", "permission"},
        children.RANDOM_ID: {"byteLength"},
        children.KEY_VAULT_SECRET: {"resourceGroupName", "vaultName", "secretName", "properties"},
    }
    for token, names in sent.items():
        assert names <= set(emulated[token]["inputProperties"]), token
    assert "hex" in emulated[children.RANDOM_ID]["properties"]


def test_nothing_a_user_runs_points_at_the_emulator(tmp_path: Path) -> None:
    """Only a copy made by LocalStack (demo, tests) names the emulator: no example's
    Pulumi.yaml has a plugins section, and the shared pulumi environment puts bin/
    on PATH but not bin/emulator."""
    for project in sorted((ROOT / "examples").glob("*/Pulumi.yaml")):
        assert "plugins" not in yaml.safe_load(project.read_text(encoding="utf-8")), project
    path = pulumi_env(tmp_path)["PATH"].split(os.pathsep)
    assert str(BIN) in path
    assert str(EMULATOR) not in path
