"""No ordinary edit deletes a key, through the real engine against the workspace emulator.

Each child is named by what it is in the workspace (a secret by its scope, vault or schema
and key; an ACL by its principal as Databricks compares it), so renaming a provider that
keeps its key, moving a key from a removed provider to another, swapping two providers'
keys and respelling a principal's case each update the same child in place: every key and
grant is present after `up`, and the next preview has nothing to do. A stack whose children
carry the 0.2.0 names (after the provider, or the principal as spelled) keeps every child
on upgrade: the old names are aliases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import make

from devtools.local_stack import LocalStack, new_vault_stack
from devtools.workspace import digest, secret_digests, soft_deleted, uc_layout, uc_secret_digests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OPENAI = "sk-test-identity-openai-0000"
ANTHROPIC = "sk-test-identity-anthropic-1111"
KEYS = {"openaiApiKey": OPENAI, "anthropicApiKey": ANTHROPIC}
SCOPE = "team-llm"
RID = (
    "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm"
)
VAULT = "rg-llm/kv-llm"


@pytest.fixture(scope="module")
def emulated_engine() -> None:
    """The toolchain, the built plugin and the emulator (YAML programs only)."""
    make("tools", "build", "emulator")


def provider(name: str, key: str, secret_key: str | None = None, **extra: Any) -> dict[str, Any]:
    given = {"name": name, "apiKey": f"${{{key}ApiKey}}"}
    if secret_key is not None:
        given["secretKey"] = secret_key
    return {**given, **extra}


def new_stack(tmp_path: Path, properties: dict[str, Any]) -> LocalStack:
    return new_vault_stack(tmp_path, "identity", properties, KEYS)


def deployed_then_edited(tmp_path: Path, before: dict[str, Any], after: dict[str, Any]) -> LocalStack:
    """A stack deployed with ``before``, then edited to ``after`` and updated."""
    stack = new_stack(tmp_path, before)
    stack.up()
    stack.edit_vault(after)
    stack.up()
    return stack


def converged(stack: LocalStack) -> None:
    """`up` left nothing to do: the next preview changes nothing."""
    stack.preview("--expect-no-changes")


def databricks_keys(stack: LocalStack) -> dict[str, str]:
    return {k: v for k, v in secret_digests(stack.workspace_dump()).items() if k.startswith(f"{SCOPE}/")}


def acls(stack: LocalStack) -> dict[str, str]:
    dump = stack.workspace_dump()
    held: dict[str, str] = dump["acls"].get(SCOPE, {})
    return {p: level for p, level in held.items() if not p.startswith("deployer@")}


def test_renaming_a_provider_that_keeps_its_key_keeps_the_key(emulated_engine: None, tmp_path: Path) -> None:
    stack = deployed_then_edited(
        tmp_path,
        {"scopeName": SCOPE, "providers": [provider("openai", "openai", "openai-api-key")]},
        {"scopeName": SCOPE, "providers": [provider("openai-prod", "openai", "openai-api-key")]},
    )
    assert databricks_keys(stack) == {f"{SCOPE}/openai-api-key": digest(OPENAI)}
    converged(stack)


def test_moving_a_key_from_a_removed_provider_keeps_it(emulated_engine: None, tmp_path: Path) -> None:
    stack = deployed_then_edited(
        tmp_path,
        {"scopeName": SCOPE, "providers": [provider("openai", "openai"), provider("anthropic", "anthropic", "shared")]},
        {"scopeName": SCOPE, "providers": [provider("openai", "openai", "shared")]},
    )
    # openai's own key name is no longer used; the shared key holds openai's value.
    assert databricks_keys(stack) == {f"{SCOPE}/shared": digest(OPENAI)}
    converged(stack)


def test_swapping_two_providers_keys_keeps_both(emulated_engine: None, tmp_path: Path) -> None:
    def swapped(first: str, second: str) -> dict[str, Any]:
        return {
            "scopeName": SCOPE,
            "providers": [provider("openai", "openai", first), provider("anthropic", "anthropic", second)],
        }

    stack = deployed_then_edited(tmp_path, swapped("key-a", "key-b"), swapped("key-b", "key-a"))
    assert databricks_keys(stack) == {f"{SCOPE}/key-a": digest(ANTHROPIC), f"{SCOPE}/key-b": digest(OPENAI)}
    converged(stack)


def test_respelling_a_principal_keeps_its_acl(emulated_engine: None, tmp_path: Path) -> None:
    def reading(principal: str) -> dict[str, Any]:
        return {"scopeName": SCOPE, "providers": [provider("openai", "openai")], "readers": [principal]}

    stack = new_stack(tmp_path, reading("Alice@Example.com"))
    stack.up()
    assert acls(stack) == {"Alice@Example.com": "READ"}
    stack.edit_vault(reading("alice@example.com"))
    stack.up()
    assert acls(stack) == {"alice@example.com": "READ"}
    assert databricks_keys(stack) == {f"{SCOPE}/openai-api-key": digest(OPENAI)}
    converged(stack)


def test_per_provider_scopes_keep_keys_and_grants_on_a_respelling(emulated_engine: None, tmp_path: Path) -> None:
    def program(reader: str) -> dict[str, Any]:
        return {
            "scopeName": SCOPE,
            "scopePerProvider": True,
            "providers": [provider("openai", "openai", "k", readers=[reader]), provider("anthropic", "anthropic", "k")],
        }

    stack = new_stack(tmp_path, program("Chatbot-SP"))
    stack.up()
    stack.edit_vault(program("chatbot-sp"))
    stack.up()
    dump = stack.workspace_dump()
    assert secret_digests(dump) == {f"{SCOPE}-openai/k": digest(OPENAI), f"{SCOPE}-anthropic/k": digest(ANTHROPIC)}
    assert dump["acls"][f"{SCOPE}-openai"].get("chatbot-sp") == "READ"
    converged(stack)


def kv(providers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"scopeName": SCOPE, "backend": "azure-keyvault", "keyVault": {"resourceId": RID}, "providers": providers}


def vault_secrets(stack: LocalStack) -> dict[str, str]:
    return {k.split("/", 2)[2]: v for k, v in secret_digests(stack.workspace_dump()).items() if k.startswith("vault:")}


def test_key_vault_secret_survives_a_rename_and_a_respelling(emulated_engine: None, tmp_path: Path) -> None:
    stack = new_stack(tmp_path, kv([provider("openai", "openai", "OpenAI-Key")]))
    stack.up()
    assert vault_secrets(stack) == {"OpenAI-Key": digest(OPENAI)}
    # A new provider name and a new spelling of the same (case-insensitive) vault secret name.
    stack.edit_vault(kv([provider("openai-prod", "openai", "openai-key")]))
    stack.up()
    dump = stack.workspace_dump()
    assert {k.lower(): v for k, v in vault_secrets(stack).items()} == {"openai-key": digest(OPENAI)}
    assert soft_deleted(dump) == {}, "a vault secret was deleted"
    converged(stack)


UC_SCHEMA: dict[str, Any] = {"catalog": "main", "schema": "llm"}
UC: dict[str, Any] = {"backend": "unity-catalog", "unityCatalog": UC_SCHEMA}


def test_uc_secret_and_grants_survive_a_rename_and_respellings(emulated_engine: None, tmp_path: Path) -> None:
    def program(name: str, secret: str, reader: str) -> dict[str, Any]:
        return {**UC, "providers": [provider(name, "openai", secret)], "readers": [reader], **NO_USAGE}

    stack = new_stack(tmp_path, program("openai", "OpenAI_Key", "Data-Science"))
    stack.seed("main.llm")
    stack.up()
    stack.edit_vault(program("openai-prod", "openai_key", "data-science"))
    stack.up()
    dump = stack.workspace_dump()
    assert {k.lower(): v for k, v in uc_secret_digests(dump).items()} == {"main.llm.openai_key": digest(OPENAI)}
    grants = uc_layout(dump)["grants"]["secret"]
    assert [{p.lower(): privs for p, privs in on.items()} for on in grants.values()] == [
        {"data-science": ["READ_SECRET"]}
    ]
    converged(stack)


NO_USAGE: dict[str, Any] = {"unityCatalog": {**UC_SCHEMA, "grantUsage": False}}


def rename_to_0_2_0_names(stack: LocalStack, names: dict[str, str]) -> None:
    """Make the stack's state look like one deployed by 0.2.0: each child named as 0.2.0 named it."""
    state = json.loads(stack.export())
    for resource in state["deployment"]["resources"]:
        old = resource["urn"].rsplit("::", 1)[1]
        if old in names:
            stack.run("state", "rename", "--yes", resource["urn"], names[old])


def test_a_stack_deployed_with_0_2_0_names_keeps_every_child(emulated_engine: None, tmp_path: Path) -> None:
    properties = {
        "scopeName": SCOPE,
        "providers": [provider("openai", "openai"), provider("anthropic", "anthropic")],
        "readers": ["Data-Science"],
    }
    stack = new_stack(tmp_path, properties)
    stack.up()
    before = stack.workspace_dump()
    rename_to_0_2_0_names(
        stack,
        {
            "llmKeys-secret/openai-api-key": "llmKeys-secret-openai",
            "llmKeys-secret/anthropic-api-key": "llmKeys-secret-anthropic",
            "llmKeys-acl-data-science": "llmKeys-acl-Data-Science",
        },
    )
    urns = stack.export()
    assert "llmKeys-secret-openai" in urns and "llmKeys-acl-Data-Science" in urns
    # The upgrade finds each child under its alias: nothing to create, replace or delete.
    converged(stack)
    stack.up()
    after = stack.workspace_dump()
    assert secret_digests(after) == secret_digests(before)
    assert after["acls"] == before["acls"]
    assert "llmKeys-secret/openai-api-key" in stack.export()


def catalog_grants(stack: LocalStack) -> dict[str, list[str]]:
    grants: dict[str, list[str]] = uc_layout(stack.workspace_dump())["grants"].get("catalog", {}).get("main", {})
    return grants


def test_usage_grants_take_nothing_away_on_destroy(emulated_engine: None, tmp_path: Path) -> None:
    """Usage grants are retained on delete: a destroy leaves every principal's privileges on the
    catalog as the stack left them. A Grant's creation sets its principal's whole list there, so
    the component gives it what the principal held already (README.md, Unity Catalog backend)."""
    stack = new_stack(tmp_path, {**UC, "providers": [provider("openai", "openai")], "readers": ["data-science"]})
    stack.seed("main.llm")
    for principal in ("analysts", "data-science"):
        stack.emulator(
            "put-grant", "--securable", "catalog", "--name", "main", "--principal", principal, "--privilege", "BROWSE"
        )
    preview = stack.preview()
    assert "grantUsage" not in preview.stdout, preview.stdout  # nothing to warn of: nothing is replaced
    stack.up()
    assert catalog_grants(stack) == {"analysts": ["BROWSE"], "data-science": ["BROWSE", "USE_CATALOG"]}
    stack.destroy()
    assert catalog_grants(stack) == {"analysts": ["BROWSE"], "data-science": ["BROWSE", "USE_CATALOG"]}
    assert uc_secret_digests(stack.workspace_dump()) == {}


def test_uc_and_key_vault_stacks_with_0_2_0_names_keep_every_child(emulated_engine: None, tmp_path: Path) -> None:
    uc = new_stack(tmp_path / "uc", {**UC, **NO_USAGE, "providers": [provider("openai", "openai")], "readers": ["ds"]})
    uc.seed("main.llm")
    uc.up()
    before = uc.workspace_dump()
    rename_to_0_2_0_names(
        uc,
        {
            "llmKeys-secret/openai_api_key": "llmKeys-secret-openai",
            "llmKeys-grants/openai_api_key": "llmKeys-grants-openai",
        },
    )
    assert "llmKeys-secret-openai" in uc.export() and "llmKeys-grants-openai" in uc.export()
    converged(uc)
    uc.up()
    assert uc_secret_digests(uc.workspace_dump()) == uc_secret_digests(before)
    assert uc_layout(uc.workspace_dump()) == uc_layout(before)

    vault = new_stack(tmp_path / "kv", kv([provider("openai", "openai")]))
    vault.up()
    before = vault.workspace_dump()
    rename_to_0_2_0_names(vault, {"llmKeys-secret/openai-api-key": "llmKeys-secret-openai"})
    assert "llmKeys-secret-openai" in vault.export()
    converged(vault)
    vault.up()
    assert vault_secrets(vault) == {"openai-api-key": digest(OPENAI)}
    assert soft_deleted(vault.workspace_dump()) == {}
