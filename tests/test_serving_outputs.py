"""`externalModels` under mocks, for every catalog provider Model Serving takes by key,
against pulumi-databricks 1.118.0's typed `ModelServingConfigServedEntityExternalModel*Args`."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pulumi_databricks as databricks
import pytest
from conftest import FAKE_KEYS
from llmkeyvault_provider import LlmKeyVault
from llmkeyvault_provider.catalog import WELL_KNOWN
from support.mocks import run_with_mocks

pytestmark = pytest.mark.component

SERVED = {name: known.serving for name, known in WELL_KNOWN.items() if known.serving is not None}
KEY_VAULT = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/llm-keys"
)
EXTERNAL_MODEL = databricks.ModelServingConfigServedEntityExternalModelArgs


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def wire_names(cls: type) -> set[str]:
    """The property names a typed SDK class puts on the wire (its `@pulumi.getter` names)."""
    return {
        getattr(member.fget, "_pulumi_name")  # noqa: B009 - set by @pulumi.getter, unknown to type checkers
        for member in vars(cls).values()
        if isinstance(member, property) and hasattr(member.fget, "_pulumi_name")
    }


def external_models(backend: dict[str, Any]) -> dict[str, Any]:
    providers = [{"name": name, "apiKey": FAKE_KEYS.get(name, FAKE_KEYS["my-llm"])} for name in WELL_KNOWN]
    inputs = {"providers": providers, **backend}
    if backend.get("backend") != "unity-catalog":
        inputs["scopeName"] = "k"
    run = run_with_mocks(lambda: LlmKeyVault("llm", inputs))
    models: dict[str, Any] = run.outputs["externalModels"]
    return models


def test_the_catalog_has_serving_rows() -> None:
    assert {"openai", "anthropic", "cohere", "ai21labs"} <= set(SERVED)


@pytest.mark.parametrize(
    "backend",
    [{}, {"backend": "azure-keyvault", "keyVault": {"resourceId": KEY_VAULT}}],
    ids=["databricks", "azure-keyvault"],
)
def test_external_models_match_the_typed_sdk(backend: dict[str, Any]) -> None:
    models = external_models(backend)
    # exactly the providers with a serving row; the others (more than a key) are left out
    assert set(models) == set(SERVED)
    init = inspect.signature(EXTERNAL_MODEL.__init__).parameters
    documented = inspect.getdoc(vars(EXTERNAL_MODEL)["provider"].fget) or ""
    for name, serving in SERVED.items():
        block = models[name]
        reference = "{{secrets/k/" + name + "-api-key}}"
        assert block == {"provider": serving.provider, serving.config: {serving.key_field: reference}}
        # the provider value is one the SDK documents, the config block a field of the external model
        assert f"`{serving.provider}`" in documented
        assert serving.config in wire_names(EXTERNAL_MODEL) and snake(serving.config) in init
        config_type = getattr(
            databricks,
            f"ModelServingConfigServedEntityExternalModel{serving.config[0].upper()}{serving.config[1:]}Args",
        )
        assert serving.key_field in wire_names(config_type)
        assert snake(serving.key_field) in inspect.signature(config_type.__init__).parameters
        # the block plus name and task builds the typed args as they are
        config = config_type(**{snake(serving.key_field): reference})
        built = EXTERNAL_MODEL(
            name="m", task="llm/v1/chat", provider=block["provider"], **{snake(serving.config): config}
        )
        assert getattr(built, snake(serving.config)) is config


def test_unity_catalog_has_no_scope_references() -> None:
    models = external_models({"backend": "unity-catalog", "unityCatalog": {"catalog": "main", "schema": "llm"}})
    assert models == {}
