"""Reading arguments in each of their two shapes, and refusing wrong types."""

import pulumi
import pytest
from conftest import FAKE_KEYS, assert_no_key_in
from llmkeyvault_provider.args import (
    Backend,
    KeyVaultBackingArgs,
    LlmKeyVaultArgs,
    ProviderKeyArgs,
    read_args,
)
from llmkeyvault_provider.errors import InvalidInput, Problems

pytestmark = pytest.mark.unit
KEY = FAKE_KEYS["openai"]


def read(value: object) -> LlmKeyVaultArgs:
    """``read_args``, raising ``InvalidInput`` naming every problem it recorded."""
    problems = Problems()
    args = read_args(value, problems)
    problems.raise_if_any()
    return args


def test_schema_names_and_dataclasses_read_the_same() -> None:
    schema_form = {
        "providers": [{"name": "openai", "apiKey": KEY, "secretKey": "k", "envVarName": "V", "readers": ["a"]}],
        "scopeName": "s",
        "scopePerProvider": True,
        "keyVault": None,
    }
    typed = LlmKeyVaultArgs(
        providers=[ProviderKeyArgs("openai", KEY, "k", "V", ["a"])], scope_name="s", scope_per_provider=True
    )
    assert read(schema_form) == read(typed)


def test_python_names_in_a_mapping_are_refused_with_the_schema_name() -> None:
    with pytest.raises(InvalidInput) as caught:
        read({"providers": [{"name": "openai", "api_key": KEY}], "scope_name": "s"})
    reasons = {e.path: e.reason for e in caught.value.errors}
    assert "'scopeName'" in reasons["scope_name"] and "'apiKey'" in reasons["providers[0].api_key"]


def test_defaults() -> None:
    args = read({"providers": [{"name": "openai", "apiKey": KEY}]})
    assert args.scope_name is None
    assert not args.scope_per_provider and not args.unique_suffix and not args.allow_workspace_users
    assert args.readers == args.writers == args.managers == ()
    assert args.backend is Backend.DATABRICKS
    assert args.key_vault is None


def test_key_vault_backing_reads_from_a_mapping() -> None:
    args = read(
        {"providers": [{"name": "openai", "apiKey": KEY}], "backend": "azure-keyvault", "keyVault": {"resourceId": "x"}}
    )
    assert args.backend is Backend.AZURE_KEY_VAULT
    assert args.key_vault == KeyVaultBackingArgs("x")


def test_api_key_may_be_an_output() -> None:
    secret = pulumi.Output.secret(KEY)
    args = read({"providers": [{"name": "openai", "apiKey": secret}]})
    assert args.providers[0].api_key is secret


def test_repr_of_a_provider_key_hides_the_key() -> None:
    assert_no_key_in(repr(ProviderKeyArgs("openai", KEY)))
    assert_no_key_in(repr(read({"providers": [{"name": "openai", "apiKey": KEY}]})))


@pytest.mark.parametrize(
    ("inputs", "path", "fragment"),
    [
        ({}, "providers", "is required"),
        ({"providers": []}, "providers", "at least one"),
        ({"providers": "openai"}, "providers", "must be a list"),
        ({"providers": [{"apiKey": KEY}]}, "providers[0].name", "is required"),
        ({"providers": [{"name": "openai"}]}, "providers[0].apiKey", "is required"),
        ({"providers": [{"name": "openai", "apiKey": 42}]}, "providers[0].apiKey", "must be a string"),
        ({"providers": [{"name": 7, "apiKey": KEY}]}, "providers[0].name", "must be a string"),
        ({"providers": [{"name": "openai", "apiKey": KEY, "token": KEY}]}, "providers[0].token", "unknown field"),
        ({"providers": [{"name": "openai", "apiKey": KEY}], "readers": "ds"}, "readers", "must be a list"),
        ({"providers": [{"name": "openai", "apiKey": KEY}], "readers": ["ds", 3]}, "readers[1]", "must be a string"),
        ({"providers": [{"name": "openai", "apiKey": KEY}], "uniqueSuffix": "yes"}, "uniqueSuffix", "true or false"),
        ({"providers": [{"name": "openai", "apiKey": KEY}], "backend": "aws"}, "backend", "valid backends are"),
        (
            {"providers": [{"name": "openai", "apiKey": KEY}], "scopeName": pulumi.Output.from_input("s")},
            "scopeName",
            "not an Output",
        ),
        ({"providers": [{"name": "openai", "apiKey": KEY}], "keyVault": "kv"}, "keyVault", "KeyVaultBacking"),
        ({"providers": [{"name": "openai", "apiKey": KEY}], "keyVault": {}}, "keyVault.resourceId", "is required"),
        ({"providers": [{"name": "openai", "apiKey": KEY}], "extra": 1}, "extra", "unknown field"),
    ],
)
def test_wrong_types_are_refused_with_their_path(inputs: dict[str, object], path: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read(inputs)
    paths = [e.path for e in caught.value.errors]
    assert path in paths
    assert fragment in caught.value.errors[paths.index(path)].reason
    assert_no_key_in(str(caught.value))


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        read({"providers": [{"name": 1, "apiKey": None}], "readers": 5, "backend": "x"})
    assert {e.path for e in caught.value.errors} == {"providers[0].name", "providers[0].apiKey", "readers", "backend"}
