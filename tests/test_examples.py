"""Every example stack through the real Pulumi engine against the workspace
emulator: deploy, converge, rotate one key, never store or print a key, and
leave nothing behind. Every example names its scopes after the stack
(`llm-keys-<stack>`), here `dev`. Needs `make tools build emulator` (and the SDKs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devtools.demo import UC_SCHEMAS
from devtools.local_stack import ROOT, LocalStack
from devtools.programs import driver_for
from devtools.workspace import digest, is_empty, layout, secret_digests, uc_layout, uc_secret_digests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@dataclass
class Example:
    name: str
    secrets: dict[str, str]
    rotate: str
    expected: dict[str, Any]
    config: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[LocalStack], None] = lambda stack: None
    #: Unity Catalog as devtools.workspace.uc_layout shows it
    uc_expected: dict[str, Any] = field(default_factory=lambda: {"schemas": {}, "grants": {}})


def stored_digests(dump: dict[str, Any]) -> dict[str, str]:
    """Every stored value's digest: scope secrets, vault secrets and Unity Catalog secrets."""
    return {**secret_digests(dump), **uc_secret_digests(dump)}


UC_PRINCIPALS = ["ai-gateway-owners", "chat-assistants", "data-science", "platform-admins"]


def uc_example_secret(provider: str) -> dict[str, list[str]]:
    grants = {"ai-gateway-owners": ["REFERENCE_SECRET"], "data-science": ["READ_SECRET"], "platform-admins": ["MANAGE"]}
    if provider == "anthropic":
        grants["chat-assistants"] = ["READ_SECRET"]
    return grants


def databricks_scope(keys: list[str], grants: dict[str, str]) -> dict[str, Any]:
    return {"backend": "DATABRICKS", "keys": sorted(keys), "grants": grants}


EXAMPLES = {
    "aws-python": Example(
        name="aws-python",
        secrets={
            "openaiApiKey": "sk-test-aws-openai-0000",
            "anthropicApiKey": "sk-test-aws-anthropic-0000",
            "bedrockSecretAccessKey": "sk-test-aws-bedrock-0000",
        },
        rotate="anthropicApiKey",
        expected={
            "scopes": {
                "llm-keys-dev": databricks_scope(
                    ["openai-api-key", "anthropic-api-key", "amazon-bedrock-api-key"],
                    {"data-science": "READ", "ml-engineers": "READ", "platform-admins": "MANAGE"},
                )
            },
            "vaults": {},
        },
    ),
    "azure-typescript": Example(
        name="azure-typescript",
        secrets={
            "azureOpenaiApiKey": "sk-test-azure-aoai-0000",
            "openaiApiKey": "sk-test-azure-openai-0000",
            "mistralApiKey": "sk-test-azure-mistral-0000",
        },
        rotate="azureOpenaiApiKey",
        # Azure AD authentication, never a token: a Key Vault-backed scope refuses a token.
        config={
            "keyVaultResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm-keys"
            "/providers/Microsoft.KeyVault/vaults/kv-llm-keys",
            "databricks:azureWorkspaceResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000"
            "/resourceGroups/rg-databricks/providers/Microsoft.Databricks/workspaces/dbw-ml",
            "databricks:authType": "azure-cli",
        },
        expected={
            "scopes": {
                "llm-keys-dev": {
                    "backend": "AZURE_KEYVAULT",
                    "keys": ["azure-openai-api-key", "mistral-api-key", "openai-api-key"],
                    "grants": {"data-science": "READ", "platform-admins": "MANAGE"},
                }
            },
            "vaults": {"rg-llm-keys/kv-llm-keys": ["azure-openai-api-key", "mistral-api-key", "openai-api-key"]},
        },
    ),
    "gcp-go": Example(
        name="gcp-go",
        secrets={
            "openaiApiKey": "sk-test-gcp-openai-0000",
            "anthropicApiKey": "sk-test-gcp-anthropic-0000",
            "geminiApiKey": "sk-test-gcp-gemini-0000",
        },
        rotate="geminiApiKey",
        expected={
            "scopes": {
                "llm-keys-dev-openai": databricks_scope(
                    ["openai-api-key"],
                    {"ml-platform": "READ", "chat-assistants": "READ", "platform-admins": "MANAGE"},
                ),
                "llm-keys-dev-anthropic": databricks_scope(
                    ["anthropic-api-key"],
                    {
                        "ml-platform": "READ",
                        "chat-assistants": "READ",
                        "research": "READ",
                        "platform-admins": "MANAGE",
                    },
                ),
                "llm-keys-dev-google": databricks_scope(
                    ["google-api-key"],
                    {"ml-platform": "READ", "analytics": "READ", "platform-admins": "MANAGE"},
                ),
            },
            "vaults": {},
        },
    ),
    "unity-catalog-yaml": Example(
        name="unity-catalog-yaml",
        secrets={
            "openaiApiKey": "sk-test-uc-openai-0000",
            "anthropicApiKey": "sk-test-uc-anthropic-0000",
            "mistralApiKey": "sk-test-uc-mistral-0000",
        },
        rotate="mistralApiKey",
        expected={"scopes": {}, "vaults": {}},
        # the schema it writes into, made beforehand (as `make demo` does)
        prepare=lambda stack: stack.seed(*UC_SCHEMAS["unity-catalog-yaml"]),
        uc_expected={
            "schemas": {"main.llm_keys": ["anthropic_api_key", "mistral_api_key", "openai_api_key"]},
            "grants": {
                "catalog": {"main": {p: ["USE_CATALOG"] for p in UC_PRINCIPALS}},
                "schema": {"main.llm_keys": {p: ["USE_SCHEMA"] for p in UC_PRINCIPALS}},
                "secret": {
                    f"main.llm_keys.{p}_api_key": uc_example_secret(p) for p in ("openai", "anthropic", "mistral")
                },
            },
        },
    ),
    "yaml": Example(
        name="yaml",
        secrets={"openaiApiKey": "sk-test-yaml-openai-0000"},
        rotate="openaiApiKey",
        expected={
            "scopes": {"llm-keys-dev": databricks_scope(["openai-api-key"], {"data-science": "READ"})},
            "vaults": {},
        },
    ),
}


def assert_no_keys(stack: LocalStack, keys: list[str]) -> None:
    places = {
        "state file": stack.state_files(),
        "stack export": stack.export(),
        "engine output": stack.everything_printed(),
        "emulated workspace": "\n".join(
            p.read_text(errors="replace") for p in stack.workspace.rglob("*") if p.is_file()
        ),
    }
    for place, text in places.items():
        for key in keys:
            assert key not in text, f"a key is in plaintext in the {place}"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_lifecycle(engine_ready: None, tmp_path: Path, name: str) -> None:
    example = EXAMPLES[name]
    source = ROOT / "examples" / name
    stack = LocalStack(source, tmp_path, driver=driver_for(source))
    example.prepare(stack)
    stack.init(example.secrets, example.config)

    # up creates exactly what the example asks for
    stack.up()
    dump = stack.workspace_dump()
    assert layout(dump) == example.expected
    assert uc_layout(dump) == example.uc_expected
    digests = stored_digests(dump)
    assert sorted(digests.values()) == sorted(digest(v) for v in example.secrets.values())

    # a second preview changes nothing
    stack.preview("--expect-no-changes")

    # rotating one key rewrites that secret alone, and it is present with the new value
    new_value = example.secrets[example.rotate].replace("0000", "1111")
    stack.set_secret(example.rotate, new_value)
    rotation = stack.up()
    after = stack.workspace_dump()
    assert layout(after) == example.expected
    assert uc_layout(after) == example.uc_expected
    changed = {k for k in digests if stored_digests(after).get(k) != digests[k]}
    assert len(changed) == 1
    (rotated,) = changed
    assert digests[rotated] == digest(example.secrets[example.rotate])
    assert stored_digests(after)[rotated] == digest(new_value)
    # written over in place: one update, nothing replaced, the key never absent
    assert re.search(r"~ 1 updated", rotation.stdout) and "replaced" not in rotation.stdout, rotation.stdout
    ops = [c["op"] for c in after["log"] if c.get("kind") in ("secret", "vaultsecret", "ucsecret")]
    assert "delete" not in ops, ops
    stack.preview("--expect-no-changes")

    # no key in plaintext anywhere the engine writes or prints
    assert_no_keys(stack, [*example.secrets.values(), new_value])

    # destroy leaves the emulated workspace empty
    stack.destroy()
    assert is_empty(stack.workspace_dump())
