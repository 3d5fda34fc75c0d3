"""The llmkeyvault-guardrails policy pack run by the real engine, `pulumi preview
--policy-pack policy`, against the workspace emulator: a raw pulumi-databricks
program is stopped with every expected violation and no key value in the
output; every example passes with none; policy configuration changes the outcome."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import assert_no_key_in, make
from test_examples import EXAMPLES as EXAMPLE_SETUP

from devtools.local_stack import ROOT, LocalStack, Result
from devtools.programs import driver_for

VERSION = yaml.safe_load((ROOT / "schema.yaml").read_text(encoding="utf-8"))["version"]

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

POLICY_PACK = ROOT / "policy"
RAW = ROOT / "tests" / "e2e" / "raw-databricks"
PASTED_KEY = "sk-test-pasted-openai-9999999999999999"
# Vault examples; the consumers (they read a vault through a StackReference) are deployed with
# one by their own tests (tests/test_e2e_serving.py), which preview them with the pack too.
EXAMPLES = sorted(
    p.name
    for p in (ROOT / "examples").iterdir()
    if (p / "Pulumi.yaml").exists() and "StackReference" not in (p / "Pulumi.yaml").read_text(encoding="utf-8")
)
assert set(EXAMPLES) == set(EXAMPLE_SETUP), "every example has its stack settings in test_examples.py"

#: (level, policy, resource) the engine must print for the raw program
RAW_VIOLATIONS = {
    ("mandatory", "no-workspace-users-manage-scope", "llmScope"),
    ("mandatory", "secret-delete-before-replace", "openaiKey"),
    ("advisory", "llm-key-outside-llmkeyvault", "openaiKey"),
    ("advisory", "workspace-wide-secret-read", "everyoneReads"),
}
VIOLATION_LINE = re.compile(r"- \[(mandatory|advisory)\]\s+(\S+)\s+\(\S+: ([^)]+)\)")


def violations(result: Result) -> set[tuple[str, str, str]]:
    found = VIOLATION_LINE.findall(result.stdout + result.stderr)
    return {(level, policy, resource) for level, policy, resource in found}


@pytest.fixture(scope="module")
def pack_ready(engine_ready: None) -> None:
    make("policy-venv")


def raw_stack(root: Path) -> LocalStack:
    stack = LocalStack(RAW, root, built_plugin=False)
    stack.init({})
    return stack


def test_the_raw_program_is_stopped(pack_ready: None, tmp_path: Path) -> None:
    stack = raw_stack(tmp_path)
    plain = stack.preview()
    result = stack.preview("--policy-pack", str(POLICY_PACK), check=False)
    assert result.returncode != 0
    assert violations(result) == RAW_VIOLATIONS
    output = result.stdout + result.stderr
    assert f"llmkeyvault-guardrails@v{VERSION}" in output
    assert "issue 642" in output and "deleteBeforeReplace: true" in output
    printed = stack.everything_printed()
    assert PASTED_KEY not in printed
    assert_no_key_in(printed)
    print(f"preview {plain.seconds:.1f} s without the pack, {result.seconds:.1f} s with it")


def test_enforcement_levels_follow_policy_configuration(pack_ready: None, tmp_path: Path) -> None:
    stack = raw_stack(tmp_path / "stack")
    # Both mandatory violations made advisory: the same program now previews.
    relaxed = tmp_path / "relaxed.json"
    relaxed.write_text(
        json.dumps({"no-workspace-users-manage-scope": "advisory", "secret-delete-before-replace": "advisory"})
    )
    result = stack.preview("--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(relaxed), check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert {level for level, _, _ in violations(result)} == {"advisory"}
    assert {policy for _, policy, _ in violations(result)} == {p for _, p, _ in RAW_VIOLATIONS}

    # A stricter team: keys outside LlmKeyVault are mandatory, everything else off.
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"all": "disabled", "llm-key-outside-llmkeyvault": "mandatory"}))
    result = stack.preview("--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(strict), check=False)
    assert result.returncode != 0
    assert violations(result) == {("mandatory", "llm-key-outside-llmkeyvault", "openaiKey")}
    assert_no_key_in(stack.everything_printed())
    assert PASTED_KEY not in stack.everything_printed()


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_passes_with_no_violation(pack_ready: None, tmp_path: Path, example: str) -> None:
    source = ROOT / "examples" / example
    stack = LocalStack(source, tmp_path, driver=driver_for(source))
    setup = EXAMPLE_SETUP[example]
    setup.prepare(stack)
    stack.init(setup.secrets, setup.config)
    result = stack.preview("--policy-pack", str(POLICY_PACK), check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert violations(result) == set()
    assert f"llmkeyvault-guardrails@v{VERSION}" in result.stdout + result.stderr, "the pack ran"
    printed = stack.everything_printed()
    assert_no_key_in(printed)
    for key in setup.secrets.values():
        assert key not in printed


WORKSPACE_USERS_PROGRAM = """\
name: llm-keys-users
runtime: yaml
config:
  openaiApiKey: {type: string, secret: true}
resources:
  llmKeys:
    type: llmkeyvault:LlmKeyVault
    properties:
      providers:
        - {name: openai, apiKey: "${openaiApiKey}"}
      managers: [users]
      allowWorkspaceUsers: true
"""


def test_workspace_users_through_the_component_are_advisory(pack_ready: None, tmp_path: Path) -> None:
    """The component's scope then carries `users` MANAGE: reported once, as advisory, by
    llmkeyvault-workspace-users, and the preview goes through."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(WORKSPACE_USERS_PROGRAM)
    stack = LocalStack(source, tmp_path / "stack")
    stack.init({"openaiApiKey": "sk-test-users-openai-0000"})
    result = stack.preview("--policy-pack", str(POLICY_PACK), check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert violations(result) == {("advisory", "llmkeyvault-workspace-users", "llmKeys-scope")}
    assert "sk-test-users-openai-0000" not in stack.everything_printed()
