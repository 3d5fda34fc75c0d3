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
from support.example_layouts import GCP_SCOPES, UC_PRINCIPALS, scope, uc_secret_grants

from devtools.demo import UC_SCHEMAS
from devtools.local_stack import ROOT, LocalStack
from devtools.programs import driver_for
from devtools.workspace import (
    digest,
    is_empty,
    layout,
    secret_digests,
    uc_layout,
    uc_secret_digests,
    without_usage_grants,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@dataclass
class Example:
    name: str
    #: the config names of the example's keys, each set to a fake key
    keys: tuple[str, ...]
    rotate: str
    #: the secret scopes (devtools.workspace.layout) after the first deploy
    scopes: dict[str, Any] = field(default_factory=dict)
    #: the Key Vault secrets, by "<resource group>/<vault>"
    vaults: dict[str, Any] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[LocalStack], None] = lambda stack: None
    #: Unity Catalog as devtools.workspace.uc_layout shows it
    uc_expected: dict[str, Any] = field(default_factory=lambda: {"schemas": {}, "grants": {}})

    @property
    def expected(self) -> dict[str, Any]:
        return {"scopes": self.scopes, "vaults": self.vaults}

    @property
    def secrets(self) -> dict[str, str]:
        return {key: f"sk-test-{self.name}-{key}-0000" for key in self.keys}


def stored_digests(dump: dict[str, Any]) -> dict[str, str]:
    """Every stored value's digest: scope secrets, vault secrets and Unity Catalog secrets."""
    return {**secret_digests(dump), **uc_secret_digests(dump)}


EXAMPLES = {
    "aws-python": Example(
        name="aws-python",
        keys=("openaiApiKey", "anthropicApiKey", "bedrockSecretAccessKey"),
        rotate="anthropicApiKey",
        scopes={
            "llm-keys-dev": scope(
                ["openai-api-key", "anthropic-api-key", "amazon-bedrock-api-key"],
                {"data-science": "READ", "ml-engineers": "READ", "platform-admins": "MANAGE"},
            )
        },
    ),
    "azure-typescript": Example(
        name="azure-typescript",
        keys=("azureOpenaiApiKey", "openaiApiKey", "mistralApiKey"),
        rotate="azureOpenaiApiKey",
        # Azure AD authentication, never a token: a Key Vault-backed scope refuses a token.
        config={
            "keyVaultResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm-keys"
            "/providers/Microsoft.KeyVault/vaults/kv-llm-keys",
            "databricks:azureWorkspaceResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000"
            "/resourceGroups/rg-databricks/providers/Microsoft.Databricks/workspaces/dbw-ml",
            "databricks:authType": "azure-cli",
        },
        scopes={
            "llm-keys-dev": {
                "backend": "AZURE_KEYVAULT",
                "keys": ["azure-openai-api-key", "mistral-api-key", "openai-api-key"],
                "grants": {"data-science": "READ", "platform-admins": "MANAGE"},
            }
        },
        vaults={"rg-llm-keys/kv-llm-keys": ["azure-openai-api-key", "mistral-api-key", "openai-api-key"]},
    ),
    "gcp-go": Example(
        name="gcp-go",
        keys=("openaiApiKey", "anthropicApiKey", "geminiApiKey"),
        rotate="geminiApiKey",
        scopes={f"llm-keys-dev-{p}": scope([f"{p}-api-key"], grants) for p, grants in GCP_SCOPES.items()},
    ),
    "unity-catalog-yaml": Example(
        name="unity-catalog-yaml",
        keys=("openaiApiKey", "anthropicApiKey", "mistralApiKey"),
        rotate="mistralApiKey",
        # the schema it writes into, made beforehand (as `make demo` does)
        prepare=lambda stack: stack.seed(*UC_SCHEMAS["unity-catalog-yaml"]),
        uc_expected={
            "schemas": {"main.llm_keys": ["anthropic_api_key", "mistral_api_key", "openai_api_key"]},
            "grants": {
                "catalog": {"main": {p: ["USE_CATALOG"] for p in UC_PRINCIPALS}},
                "schema": {"main.llm_keys": {p: ["USE_SCHEMA"] for p in UC_PRINCIPALS}},
                "secret": {
                    f"main.llm_keys.{p}_api_key": uc_secret_grants(p) for p in ("openai", "anthropic", "mistral")
                },
            },
        },
    ),
    "yaml": Example(
        name="yaml",
        keys=("openaiApiKey",),
        rotate="openaiApiKey",
        scopes={"llm-keys-dev": scope(["openai-api-key"], {"data-science": "READ"})},
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

    # destroy leaves the emulated workspace empty but for the usage grants, retained on delete
    stack.destroy()
    assert is_empty(without_usage_grants(stack.workspace_dump()))
