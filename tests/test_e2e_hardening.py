"""Refusals through the real engine against the workspace emulator: the engine
prints the field path, never a key, never panics, and nothing is created."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.local_stack import ROOT, LocalStack
from devtools.workspace import DEPLOYER, is_empty

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

E2E = ROOT / "tests" / "e2e"
KEY = "sk-test-hardening-openai-0000"
PASTED = "sk-proj-test0000000000000000000000"


def assert_clean(printed: str) -> None:
    assert KEY not in printed and PASTED not in printed
    assert "panic" not in printed.lower() and "Traceback" not in printed


@pytest.mark.parametrize(
    ("secrets", "config", "path", "reason"),
    [
        ({"openaiApiKey": ""}, {}, "providers[0].apiKey", "must not be empty or blank"),
        ({"openaiApiKey": KEY}, {"scopeName": PASTED}, "scopeName", "looks like key material"),
    ],
    ids=["empty secret key", "key pasted into scopeName"],
)
def test_a_refused_input_fails_preview_with_its_path_and_no_key(
    engine_ready: None, tmp_path: Path, secrets: dict[str, str], config: dict[str, str], path: str, reason: str
) -> None:
    stack = LocalStack(E2E / "one-key", tmp_path)
    stack.init(secrets, config)
    result = stack.preview(check=False)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert path in printed and reason in printed
    assert_clean(printed)
    assert is_empty(stack.workspace_dump())


def test_a_reader_from_another_resource_is_refused_in_preview_and_works_once_known(
    engine_ready: None, tmp_path: Path
) -> None:
    stack = LocalStack(E2E / "reader-from-output", tmp_path)
    stack.init({"openaiApiKey": KEY})
    result = stack.preview(check=False)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert "readers[0]" in printed and "must be known during preview" in printed
    assert_clean(printed)
    assert is_empty(stack.workspace_dump())
    # As the message says: once the value is known, the vault deploys.
    stack.up()
    grants = stack.outputs()["grants"]
    (grant,) = [g for g in grants if g["principal"] != DEPLOYER]
    assert grant["principal"].startswith("reader-") and grant["permission"] == "READ"
    # The deploying identity keeps its own MANAGE (deployerAcl), listed with the grants.
    assert {"scope": grant["scope"], "principal": DEPLOYER, "permission": "MANAGE"} in grants
    stack.preview("--expect-no-changes")
    stack.destroy()
    assert is_empty(stack.workspace_dump())
