"""Once, in Pulumi YAML through the real engine against the workspace emulator:
a failure half-way, a refused input, and the deployment's critical path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.local_stack import ROOT, LocalStack
from devtools.workspace import digest, is_empty, layout, secret_digests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FIXTURE = ROOT / "tests" / "e2e" / "five-providers"
KEYS = {
    "openaiApiKey": "sk-test-five-openai-0000",
    "anthropicApiKey": "sk-test-five-anthropic-0000",
    "cohereApiKey": "sk-test-five-cohere-0000",
    "mistralApiKey": "sk-test-five-mistral-0000",
    "groqApiKey": "sk-test-five-groq-0000",
}
EXPECTED = {
    "scopes": {
        "five": {
            "backend": "DATABRICKS",
            "keys": sorted(f"{p}-api-key" for p in ("openai", "anthropic", "cohere", "mistral", "groq")),
            "grants": {
                "data-science": "READ",
                "analysts": "READ",
                "chatbot-sp": "READ",
                "etl-sp": "WRITE",
                "platform-admins": "MANAGE",
            },
        }
    },
    "vaults": {},
}


def five(tmp_path: Path, **env: str) -> LocalStack:
    stack = LocalStack(FIXTURE, tmp_path, extra_env=env)
    stack.init(KEYS)
    return stack


def resource_urns(stack: LocalStack) -> list[str]:
    deployment = json.loads(stack.export())["deployment"]
    return [r["urn"] for r in deployment.get("resources", [])]


def test_failure_at_the_third_secret_then_convergence(engine_ready: None, tmp_path: Path) -> None:
    stack = five(tmp_path, LLMKEYVAULT_EMULATOR_FAIL="secret:3")
    failed = stack.up(check=False)
    assert failed.returncode != 0
    assert "injected failure" in failed.stdout + failed.stderr
    partial = stack.workspace_dump()
    assert len(secret_digests(partial)) < 5

    stack.extra_env.pop("LLMKEYVAULT_EMULATOR_FAIL")
    stack.up()
    dump = stack.workspace_dump()
    assert layout(dump) == EXPECTED
    assert sorted(secret_digests(dump).values()) == sorted(digest(v) for v in KEYS.values())
    urns = resource_urns(stack)
    assert len(urns) == len(set(urns)), "a resource is duplicated in the state"
    children = [u for u in urns if "LlmKeyVault$" in u]
    assert len(children) == 1 + 5 + 6  # scope, secrets, ACLs (the deployer's own MANAGE too): none lost, none extra
    stack.preview("--expect-no-changes")

    stack.destroy()
    assert is_empty(stack.workspace_dump())
    for key in KEYS.values():
        assert key not in stack.everything_printed()
        assert key not in stack.state_files()


def test_bad_input_fails_preview_with_the_field_path_and_no_key(engine_ready: None, tmp_path: Path) -> None:
    stack = five(tmp_path)
    stack.run("config", "set", "--path", "managers[0]", "data-science")  # also a reader
    result = stack.preview(check=False)
    assert result.returncode != 0
    printed = result.stdout + result.stderr
    assert "managers[0]" in printed
    assert "also readers[0]" in printed
    for key in KEYS.values():
        assert key not in printed
    assert is_empty(stack.workspace_dump())


def test_children_that_need_not_wait_do_not(engine_ready: None, tmp_path: Path) -> None:
    """The order of the emulator's calls, not their times: the secrets and ACLs wait for their
    scope and for nothing else, so every one of them starts before the first of them ends. Each
    call lasts the latency below, long enough for the engine to start the others under any load.
    (``make bench`` measures how long the calls take.)"""
    stack = five(tmp_path, LLMKEYVAULT_EMULATOR_LATENCY_MS="1500")
    stack.up("--parallel", "16")  # the engine's default is 4 x CPUs: 8 here, fewer than 10 children
    calls = [c for c in stack.workspace_dump()["log"] if c["op"] == "create"]
    scopes = [c for c in calls if c["kind"] == "scope"]
    children = [c for c in calls if c["kind"] != "scope"]
    assert len(scopes) == 1  # then 5 secrets and 6 ACLs: 5 listed and the deployer's own MANAGE
    assert sorted(c["kind"] for c in children) == ["acl"] * 6 + ["secret"] * 5
    assert all(c["startMs"] >= scopes[0]["endMs"] for c in children), "secrets and ACLs start once the scope exists"
    first_end = min(c["endMs"] for c in children)
    waited = [f"{c['kind']} {c['target']}" for c in children if c["startMs"] >= first_end]
    assert waited == [], "children that need not wait for each other must not"
    stack.extra_env.pop("LLMKEYVAULT_EMULATOR_LATENCY_MS")
    stack.destroy()


def test_verbose_engine_logs_hold_no_key(engine_ready: None, tmp_path: Path) -> None:
    stack = five(tmp_path)
    logged = stack.up("--logtostderr", "--logflow", "-v=9")
    assert len(logged.stderr) > 10_000, "the engine wrote its verbose log"
    for key in KEYS.values():
        assert key not in logged.stdout + logged.stderr
    stack.destroy()
