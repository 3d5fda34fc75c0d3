"""The audit after a real deployment: a vault with a Databricks-backed scope and one with
Unity Catalog secrets, deployed by the real engine to the workspace emulator; the audit reads
the stack's outputs with the Pulumi CLI and the workspace with databricks-sdk (no mock) over
the emulator's REST mode. Hand-made changes are found, exit 1; once undone, exit 0."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import make
from test_audit import DEPLOYER, TOKEN, start_rest

from devtools.local_stack import EMULATOR_CLI, PULUMI, LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KEY = "sk-test-audit-e2e-0000000000"
AUDIT = Path(sys.executable).parent / "llmkeyvault"

PROGRAM: dict[str, Any] = {
    "name": "audit-e2e",
    "runtime": "yaml",
    "config": {"apiKey": {"type": "string", "secret": True}, "expiresAt": {"type": "string"}},
    "resources": {
        "keys": {
            "type": "llmkeyvault:LlmKeyVault",
            "properties": {
                "scopeName": "audit-keys",
                "providers": [{"name": "openai", "apiKey": "${apiKey}"}],
                "readers": ["llm-readers"],
            },
        },
        "endpoint": {
            "type": "databricks:ModelServing",
            "properties": {
                "name": "llm-chat",
                "config": {
                    "servedEntities": [
                        {
                            "name": "openai-chat",
                            "externalModel": {
                                "provider": "openai",
                                "name": "gpt-4o",
                                "task": "llm/v1/chat",
                                "openaiConfig": {"openaiApiKey": '${keys.secretReferences["openai"]}'},
                            },
                            "environmentVars": "${keys.environmentVariables}",
                        }
                    ]
                },
            },
        },
        "ucKeys": {
            "type": "llmkeyvault:LlmKeyVault",
            "properties": {
                "backend": "unity-catalog",
                "unityCatalog": {"catalog": "main", "schema": "llm_keys"},
                "providers": [{"name": "anthropic", "apiKey": "${apiKey}", "expiresAt": "${expiresAt}"}],
                "readers": ["llm-readers"],
            },
        },
    },
    "outputs": {
        "vault": {
            "scopes": "${keys.scopes}",
            "scopeNames": "${keys.scopeNames}",
            "secretKeys": "${keys.secretKeys}",
            "grants": "${keys.grants}",
        },
        "ucVault": {"secretFullNames": "${ucKeys.secretFullNames}", "grants": "${ucKeys.grants}"},
    },
}


def test_hand_made_access_is_found_with_every_reader_and_path_then_cleared(tmp_path: Path) -> None:
    make("tools", "build", "emulator")
    source = tmp_path / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(yaml.safe_dump(PROGRAM, sort_keys=False))
    stack = LocalStack(source, tmp_path / "run")

    def emu(*args: str) -> None:
        subprocess.run([str(EMULATOR_CLI), args[0], "--dir", str(stack.workspace), *args[1:]], check=True)

    emu("seed", "--schema", "main.llm_keys")
    emu("add-member", "--group", "llm-readers", "--member", "alice@example.com")
    soon = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stack.init({"apiKey": KEY}, {"expiresAt": soon})
    stack.up()
    rest = start_rest(stack.workspace)
    env = {
        **stack.env,
        "DATABRICKS_HOST": rest.url,
        "DATABRICKS_TOKEN": TOKEN,
        "DATABRICKS_CONFIG_FILE": str(tmp_path / "none"),
    }

    def audit() -> tuple[int, dict[str, Any], str]:
        done = subprocess.run(
            [
                str(AUDIT),
                "audit",
                "--stack",
                stack.stack,
                "--cwd",
                str(stack.project),
                "--pulumi",
                str(PULUMI),
                "--format",
                "json",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        assert KEY not in done.stdout + done.stderr
        return done.returncode, json.loads(done.stdout), done.stderr

    try:
        code, report, _ = audit()
        assert code == 0, report["findings"]
        assert {k["id"] for k in report["keys"]} == {"audit-keys/openai-api-key", "main.llm_keys.anthropic_api_key"}
        # Inside its rotation warning window: a finding, below --fail-on high.
        assert [(f["severity"], f["code"], f["key"]) for f in report["findings"] if f["severity"] != "info"] == [
            ("medium", "key-expiring", "main.llm_keys.anthropic_api_key")
        ]
        (openai,) = [k for k in report["keys"] if k["id"] == "audit-keys/openai-api-key"]
        fields = {(r["kind"], r["name"], r["creator"], r["field"]) for r in openai["references"]}
        assert fields == {
            (
                "serving_endpoint",
                "llm-chat",
                DEPLOYER,
                "config.served_entities[0].external_model.openai_config.openai_api_key",
            ),
            ("serving_endpoint", "llm-chat", DEPLOYER, "config.served_entities[0].environment_vars.OPENAI_API_KEY"),
        }

        # By hand: an ACL, a user added to the reader group, `account users` on the schema.
        emu("put-acl", "--scope", "audit-keys", "--principal", "contractor@example.com", "--permission", "MANAGE")
        emu("add-member", "--group", "llm-readers", "--member", "bob@example.com")
        emu(
            "put-grant",
            "--securable",
            "schema",
            "--name",
            "main.llm_keys",
            "--principal",
            "account users",
            "--privilege",
            "READ_SECRET",
        )
        code, report, _ = audit()
        assert code == 1
        failing = {
            (f["severity"], f["code"], f["key"], f["principal"])
            for f in report["findings"]
            if f["severity"] in ("high", "critical")
        }
        assert failing == {
            ("high", "undeclared-access", "audit-keys", "contractor@example.com"),
            ("high", "undeclared-access", "main.llm_keys.anthropic_api_key", "account users"),
            ("critical", "everyone-can-read", "main.llm_keys.anthropic_api_key", "account users"),
        }
        paths = {(k["id"], a["principal"]): a["path"] for k in report["keys"] for a in k["access"]}
        assert paths[("audit-keys/openai-api-key", "bob@example.com")] == [
            "scope ACL: READ to llm-readers",
            "llm-readers has member bob@example.com",
        ]
        assert paths[("main.llm_keys.anthropic_api_key", "bob@example.com")] == [
            "secret main.llm_keys.anthropic_api_key: READ_SECRET to llm-readers",
            "llm-readers has member bob@example.com",
        ]
        assert paths[("audit-keys/openai-api-key", "contractor@example.com")] == [
            "scope ACL: MANAGE to contractor@example.com"
        ]
        assert paths[("main.llm_keys.anthropic_api_key", "account users")][0] == (
            "schema main.llm_keys: READ_SECRET to account users"
        )

        # Undone (the new member stays: membership is reported, not drift).
        emu("delete-acl", "--scope", "audit-keys", "--principal", "contractor@example.com")
        emu("revoke-grant", "--securable", "schema", "--name", "main.llm_keys", "--principal", "account users")
        code, report, _ = audit()
        assert code == 0, report["findings"]
        calls = rest.calls()
        assert "GET secrets/get" not in calls and "not-served" not in calls
        # The stack still deploys cleanly and nothing in the workspace changed through the audit.
        stack.preview("--expect-no-changes")

        # A key deleted by hand (as an external value never written would be) is a finding.
        emu("delete-secret", "--scope", "audit-keys", "--key", "openai-api-key")
        code, report, _ = audit()
        assert code == 1
        assert [(f["code"], f["key"]) for f in report["findings"] if f["severity"] == "high"] == [
            ("key-missing", "audit-keys/openai-api-key")
        ]
    finally:
        rest.process.terminate()
        rest.process.wait(timeout=10)
