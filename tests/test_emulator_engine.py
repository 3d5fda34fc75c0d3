"""The workspace emulator through the real engine, without the component: YAML
programs that use the databricks and azure-native types directly, to prove the
emulator's rules where the engine can tell (imports, identities, in-place
updates, refusals, soft delete)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.local_stack import EMULATOR_CLI, LocalStack
from devtools.workspace import digest, serving_references, soft_deleted, uc_layout, uc_secret_digests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

APP_SP = "11111111-2222-3333-4444-555555555555"
PLATFORM = "platform@example.com"


class _NoAliases(yaml.SafeDumper):
    """Pulumi YAML refuses YAML aliases: write shared dicts out in full."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(body: dict[str, Any]) -> str:
    return yaml.dump(body, Dumper=_NoAliases, sort_keys=False)


def project(folder: Path, name: str, resources: dict[str, Any], outputs: dict[str, Any] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body: dict[str, Any] = {
        "name": name,
        "runtime": "yaml",
        "config": {"key": {"type": "string", "secret": True}},
        "resources": resources,
    }
    if outputs:
        body["outputs"] = outputs
    (folder / "Pulumi.yaml").write_text(_dump(body))
    return folder


def emulator(stack: LocalStack, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EMULATOR_CLI), *args, "--dir", str(stack.workspace)],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )


def write(stack: LocalStack, resources: dict[str, Any]) -> None:
    path = stack.project / "Pulumi.yaml"
    body = yaml.safe_load(path.read_text())
    body["resources"] = resources
    path.write_text(_dump(body))


def test_import_of_a_scope_and_acl_made_outside_pulumi_changes_nothing(engine_ready: None, tmp_path: Path) -> None:
    resources = {
        "scope": {
            "type": "databricks:SecretScope",
            "properties": {"name": "llm-keys"},
            "options": {"import": "llm-keys"},
        },
        "acl": {
            "type": "databricks:SecretAcl",
            "properties": {"scope": "llm-keys", "principal": "data-eng", "permission": "READ"},
            "options": {"import": "llm-keys|||data-eng"},
        },
    }
    stack = LocalStack(project(tmp_path / "src", "emu-import", resources), tmp_path / "stack", built_plugin=False)
    emulator(stack, "put-scope", "--scope", "llm-keys")
    emulator(
        stack, "put-secret", "--scope", "llm-keys", "--key", "openai", "--digest-of-stdin", stdin="sk-test-import-1"
    )
    emulator(stack, "put-acl", "--scope", "llm-keys", "--principal", "data-eng", "--permission", "READ")
    stack.init({"key": "sk-test-import-1"})
    preview = stack.preview()
    assert "2 to import" in preview.stdout and "replace" not in preview.stdout, preview.stdout
    stack.up()
    stack.preview("--expect-no-changes")

    # A Secret imports with its value: the provider never reads a value back, so the
    # engine imports it and then writes the value given over it in place (PutSecret,
    # pulumi-databricks 1.118.0), never a replacement. The same key keeps its digest.
    resources["openai"] = {
        "type": "databricks:Secret",
        "properties": {"scope": "llm-keys", "key": "openai", "stringValue": "${key}"},
        "options": {"import": "llm-keys|||openai"},
    }
    write(stack, resources)
    imported = stack.up()
    assert "replace" not in imported.stdout, imported.stdout
    assert stack.workspace_dump()["secrets"]["llm-keys"]["openai"]["valueSha256"] == digest("sk-test-import-1")
    assert "sk-test-import-1" not in stack.everything_printed()


def test_unity_catalog_and_serving_across_two_identities(engine_ready: None, tmp_path: Path) -> None:
    platform = {"type": "pulumi:providers:databricks", "properties": {"username": PLATFORM}}
    app = {"type": "pulumi:providers:databricks", "properties": {"clientId": APP_SP}}
    as_platform = {"provider": "${platform}"}
    resources: dict[str, Any] = {
        "platform": platform,
        "app": app,
        "scope": {"type": "databricks:SecretScope", "properties": {"name": "llm-keys"}, "options": as_platform},
        "openai": {
            "type": "databricks:Secret",
            "properties": {"scope": "${scope.name}", "key": "openai", "stringValue": "${key}"},
            "options": {**as_platform, "deleteBeforeReplace": True},
        },
        "ucKey": {
            "type": "databricks:SecretUc",
            "properties": {"catalogName": "main", "schemaName": "llm", "name": "openai_api_key", "value": "${key}"},
            "options": as_platform,
        },
        "endpoint": {
            "type": "databricks:ModelServing",
            "properties": {
                "name": "chat",
                "config": {
                    "servedEntities": [
                        {
                            "name": "gpt",
                            "externalModel": {
                                "provider": "openai",
                                "name": "gpt-4o",
                                "task": "llm/v1/chat",
                                "openaiConfig": {"openaiApiKey": "${openai.configReference}"},
                            },
                        }
                    ]
                },
            },
            "options": {"provider": "${app}"},
        },
    }
    stack = LocalStack(
        project(tmp_path / "src", "emu-uc", resources, {"uc": "${ucKey.fullName}"}),
        tmp_path / "stack",
        built_plugin=False,
    )
    emulator(stack, "seed", "--schema", "main.llm", "--owner", PLATFORM)
    stack.init({"key": "sk-test-uc-1"})

    # The application's identity holds no READ on the scope: refused, with Databricks' codes.
    refused = stack.up(check=False)
    assert refused.returncode != 0
    assert f"PERMISSION_DENIED: Principal {APP_SP} does not have READ permission on secret scope llm-keys" in (
        refused.stdout + refused.stderr
    )
    resources["reader"] = {
        "type": "databricks:SecretAcl",
        "properties": {"scope": "${scope.name}", "principal": APP_SP, "permission": "READ"},
        "options": as_platform,
    }
    resources["endpoint"]["options"]["dependsOn"] = ["${reader}"]
    write(stack, resources)
    stack.up()
    dump = stack.workspace_dump()
    assert serving_references(dump) == {"chat": ["{{secrets/llm-keys/openai}}"]}
    assert dump["servingEndpoints"]["chat"]["creator"] == APP_SP
    assert dump["scopes"]["llm-keys"]["creator"] == PLATFORM
    assert uc_secret_digests(dump) == {"main.llm.openai_api_key": digest("sk-test-uc-1")}
    assert dump["ucSecrets"]["main.llm.openai_api_key"]["owner"] == PLATFORM
    stack.preview("--expect-no-changes")

    # Rotation: the UC secret updates in place (no replacement), the endpoint is untouched.
    stack.set_secret("key", "sk-test-uc-2")
    preview = stack.preview()
    uc_lines = [line for line in preview.stdout.splitlines() if " ucKey " in f"{line} "]
    assert uc_lines and all("update" in line and "replace" not in line for line in uc_lines), preview.stdout
    assert not [
        line for line in preview.stdout.splitlines() if "endpoint" in line and ("update" in line or "replace" in line)
    ]
    stack.up()
    assert uc_secret_digests(stack.workspace_dump()) == {"main.llm.openai_api_key": digest("sk-test-uc-2")}
    assert uc_layout(stack.workspace_dump()) == {"schemas": {"main.llm": ["openai_api_key"]}, "grants": {}}

    printed = stack.everything_printed() + stack.export() + stack.state_files()
    assert "sk-test-uc-1" not in printed and "sk-test-uc-2" not in printed
    stack.destroy()
    after = stack.workspace_dump()
    assert not after["ucSecrets"] and not after["servingEndpoints"] and not after["scopes"]
    assert after["schemas"]["main.llm"]["seeded"]


def test_key_vault_refuses_a_soft_deleted_name_until_purged(engine_ready: None, tmp_path: Path) -> None:
    resources = {
        "kv": {
            "type": "azure-native:keyvault:Secret",
            "properties": {
                "resourceGroupName": "rg-llm",
                "vaultName": "kv-llm",
                "secretName": "openai-api-key",
                "properties": {"value": "${key}"},
            },
        }
    }
    stack = LocalStack(project(tmp_path / "src", "emu-kv", resources), tmp_path / "stack", built_plugin=False)
    stack.init({"key": "sk-test-kv-1"})
    stack.up()
    stack.destroy()
    assert soft_deleted(stack.workspace_dump()) == {"rg-llm/kv-llm": ["openai-api-key"]}
    again = stack.up(check=False)
    assert again.returncode != 0
    assert (
        "is currently in a deleted but recoverable state, and its name cannot be reused" in again.stdout + again.stderr
    )
    emulator(stack, "purge", "--vault", "rg-llm/kv-llm", "--name", "openai-api-key")
    stack.up()
    assert stack.workspace_dump()["vaults"]["rg-llm/kv-llm"]["secrets"]["openai-api-key"]["valueSha256"] == digest(
        "sk-test-kv-1"
    )
