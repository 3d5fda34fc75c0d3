"""The provider as the engine sees it: a process started with the engine's
address, answering GetSchema and Construct over gRPC, registering children
with a stand-in monitor."""

import json
from typing import Any

import grpc
import pulumi
import pytest
import yaml
from conftest import FAKE_KEYS, assert_no_key_in
from google.protobuf import json_format
from llmkeyvault_provider import LlmKeyVault
from pulumi.runtime.proto import plugin_pb2, provider_pb2
from support.mocks import run_with_mocks
from support.standin_engine import UNKNOWN, ProviderProcess, Registration, StandinEngine, from_wire, is_secret, secret

pytestmark = [pytest.mark.provider, pytest.mark.slow]

with open("schema.yaml", encoding="utf-8") as schema_file:
    SCHEMA = yaml.safe_load(schema_file)


def details(error: grpc.RpcError) -> str:
    """The status message of a failed call (grpc's own type says it may be missing)."""
    return str(error.details() or "")


def construct(engine: StandinEngine, plugin: ProviderProcess, name: str, inputs: dict[str, Any], **kw: Any) -> Any:
    return plugin.stub.Construct(engine.construct_request(name, inputs, **kw))


def registered_under(engine: StandinEngine, name: str) -> list[Registration]:
    return [r for r in engine.recorder.registrations if r.name == name or f"LlmKeyVault::{name}" in r.parent]


def comparable(registrations: list[Registration]) -> list[tuple[Any, ...]]:
    """What must match between the provider and the in-process component (URNs differ by their stack parent)."""
    return sorted(
        (
            r.type,
            r.name,
            json.dumps(r.inputs, sort_keys=True),
            r.delete_before_replace,
            r.version,
            tuple(r.additional_secret_outputs),
            tuple(d.rsplit("::", 1)[1] for d in r.dependencies),
            r.parent.rsplit("::", 1)[1] if r.parent and not r.type.startswith("llmkeyvault:") else "",
        )
        for r in registrations
        if r.type != "pulumi:pulumi:Stack"
    )


def test_get_schema_returns_schema_yaml(plugin: ProviderProcess) -> None:
    response = plugin.stub.GetSchema(provider_pb2.GetSchemaRequest())
    assert json.loads(response.schema) == SCHEMA


def test_plugin_version_is_the_schema_version(plugin: ProviderProcess) -> None:
    from google.protobuf import empty_pb2

    info: plugin_pb2.PluginInfo = plugin.stub.GetPluginInfo(empty_pb2.Empty())
    assert info.version == SCHEMA["version"]


CASES: dict[str, dict[str, Any]] = {
    "nested-secrets": {
        "providers": [
            {"name": "openai", "apiKey": secret(FAKE_KEYS["openai"])},
            {"name": "anthropic", "apiKey": secret(FAKE_KEYS["anthropic"]), "secretKey": "claude"},
        ],
        "readers": ["data-science"],
        "managers": ["platform"],
        "uniqueSuffix": True,
    },
    "whole-list-secret": {
        "providers": secret(
            [
                {"name": "cohere", "apiKey": FAKE_KEYS["cohere"], "readers": ["rag-sp"]},
                {"name": "mistral", "apiKey": FAKE_KEYS["mistral"], "envVarName": "MISTRAL_KEY"},
            ]
        ),
        "scopePerProvider": True,
        "scopeName": "llm-keys",
        "writers": ["etl"],
    },
    "key-vault": {
        "providers": [{"name": "huggingface", "apiKey": secret(FAKE_KEYS["huggingface"])}],
        "backend": "azure-keyvault",
        "keyVault": {
            "resourceId": "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg"
            "/providers/Microsoft.KeyVault/vaults/kv-llm"
        },
        "managers": ["users"],
        "allowWorkspaceUsers": True,
    },
}


def in_process_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    plain = dict(inputs)
    providers = plain["providers"]
    if isinstance(providers, dict):  # a whole secret list: in process, each key is a secret
        providers = [{**p, "apiKey": secret(p["apiKey"])} for p in providers["value"]]
    plain["providers"] = providers
    unwrapped: dict[str, Any] = from_wire(plain, pulumi.Output.secret)
    return unwrapped


@pytest.mark.parametrize("case", sorted(CASES))
def test_construct_matches_the_in_process_component(engine: StandinEngine, plugin: ProviderProcess, case: str) -> None:
    name = f"v-{case}"
    response = construct(engine, plugin, name, CASES[case])
    state = json_format.MessageToDict(response.state)
    assert response.urn.endswith(f"LlmKeyVault::{name}")

    in_process = run_with_mocks(lambda: LlmKeyVault(name, in_process_inputs(CASES[case])))
    assert comparable(registered_under(engine, name)) == comparable(in_process.registrations)
    assert state == in_process.outputs
    assert set(state) == set(SCHEMA["resources"]["llmkeyvault:index:LlmKeyVault"]["properties"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_keys_stay_secret_through_the_provider(engine: StandinEngine, plugin: ProviderProcess, case: str) -> None:
    name = f"s-{case}"
    response = construct(engine, plugin, name, CASES[case])
    assert_no_key_in(response.SerializeToString().decode("utf-8", "replace"))
    key_holders = 0
    for registration in registered_under(engine, name):
        text = json.dumps(registration.inputs)
        if registration.type == "databricks:index/secret:Secret":
            assert is_secret(registration.inputs["stringValue"])
            key_holders += 1
        elif registration.type == "azure-native:keyvault:Secret":
            assert is_secret(registration.inputs["properties"]["value"])
            key_holders += 1
        else:
            assert_no_key_in(text)
    assert key_holders == len(in_process_inputs(CASES[case])["providers"])
    assert_no_key_in("\n".join(engine.recorder.logs))
    assert_no_key_in(json.dumps(engine.recorder.outputs))


def test_preview_with_unknown_key_registers_every_child(engine: StandinEngine, plugin: ProviderProcess) -> None:
    inputs = {"providers": [{"name": "openai", "apiKey": UNKNOWN}, {"name": "groq", "apiKey": secret(UNKNOWN)}]}
    construct(engine, plugin, "preview", inputs, dry_run=True)
    names = sorted(r.name for r in registered_under(engine, "preview"))
    assert names == ["preview", "preview-scope", "preview-secret/groq-api-key", "preview-secret/openai-api-key"]


def test_unknown_principal_during_preview_is_a_clear_error(engine: StandinEngine, plugin: ProviderProcess) -> None:
    inputs = {"providers": [{"name": "openai", "apiKey": secret(FAKE_KEYS["openai"])}], "readers": [UNKNOWN]}
    with pytest.raises(grpc.RpcError) as caught:
        construct(engine, plugin, "unknown-reader", inputs, dry_run=True)
    assert "readers[0]" in details(caught.value)
    assert "must be known during preview" in details(caught.value)


BAD = [
    ({"readers": ["ds"], "managers": ["ds"]}, "managers[0]"),
    ({"readers": ["users"]}, "readers[0]"),
    ({"backend": "azure-keyvault"}, "keyVault"),
    ({"scopeName": "a/b"}, "scopeName"),
]


@pytest.mark.parametrize(("extra", "path"), BAD)
def test_bad_input_is_a_property_error_without_keys(
    engine: StandinEngine, plugin: ProviderProcess, extra: dict[str, Any], path: str
) -> None:
    inputs = {"providers": [{"name": "openai", "apiKey": secret(FAKE_KEYS["openai"])}], **extra}
    before = len(engine.recorder.registrations)
    with pytest.raises(grpc.RpcError) as caught:
        construct(engine, plugin, "bad", inputs)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f"{path}:" in details(error)
    assert_no_key_in(details(error))
    assert_no_key_in(str(error.trailing_metadata()))
    assert len(engine.recorder.registrations) == before, "nothing is registered for a refused input"


def test_property_error_details_carry_the_field_path(engine: StandinEngine, plugin: ProviderProcess) -> None:
    from pulumi.runtime.proto import errors_pb2, status_pb2

    inputs = {"providers": [{"name": "Open AI", "apiKey": secret(FAKE_KEYS["openai"])}]}
    with pytest.raises(grpc.RpcError) as caught:
        construct(engine, plugin, "bad-name", inputs)
    trailing: Any = caught.value.trailing_metadata() or ()  # pairs of (key, value)
    metadata = dict(trailing)
    status = status_pb2.Status.FromString(metadata["grpc-status-details-bin"])
    details = errors_pb2.InputPropertiesError()
    status.details[0].Unpack(details)
    assert [(e.property_path, "provider id" in e.reason) for e in details.errors] == [("providers[0].name", True)]


def test_unknown_resource_type_is_refused(engine: StandinEngine, plugin: ProviderProcess) -> None:
    request = engine.construct_request("x", {"providers": []})
    request.type = "llmkeyvault:index:Other"
    with pytest.raises(grpc.RpcError) as caught:
        plugin.stub.Construct(request)
    assert "unknown resource type" in details(caught.value)


def test_provider_process_printed_no_key(plugin: ProviderProcess) -> None:
    # Runs last in this module: the process's own output so far holds no key.
    plugin.process.terminate()
    _, err = plugin.process.communicate(timeout=10)
    assert_no_key_in(err.decode("utf-8", "replace"))
