"""Convergence through the real engine against the workspace emulator: a
refresh finds nothing drifted, and a unique suffix stays the same across
updates."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.local_stack import ROOT, LocalStack, yaml_vault_project
from devtools.workspace import is_empty

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FIXTURE = ROOT / "tests" / "e2e" / "five-providers"
KEYS = {
    f"{name}ApiKey": f"sk-test-converge-{name}-0000" for name in ("openai", "anthropic", "cohere", "mistral", "groq")
}


def suffixed_project(folder: Path) -> Path:
    return yaml_vault_project(
        folder,
        "llm-keys-suffixed",
        {
            "scopeName": "team-llm",
            "uniqueSuffix": True,
            "providers": [{"name": "openai", "apiKey": "${openaiApiKey}"}],
            "readers": ["data-science"],
        },
        secret_config=("openaiApiKey",),
        outputs=("scopes",),
    )


def test_refresh_finds_no_drift(engine_ready: None, tmp_path: Path) -> None:
    stack = LocalStack(FIXTURE, tmp_path)
    stack.init(KEYS)
    stack.up()
    refresh = stack.run("refresh", "--yes", "--skip-preview")
    assert "unchanged" in refresh.stdout and "updated" not in refresh.stdout.split("Resources:")[1]
    stack.preview("--expect-no-changes")
    stack.destroy()
    assert is_empty(stack.workspace_dump())


def test_unique_suffix_is_stable_across_updates(engine_ready: None, tmp_path: Path) -> None:
    stack = LocalStack(suffixed_project(tmp_path / "source"), tmp_path / "stack")
    stack.init({"openaiApiKey": "sk-test-suffix-openai-0000"})
    stack.up()
    (scope,) = stack.outputs()["scopes"]
    assert scope.startswith("team-llm-") and len(scope) == len("team-llm-") + 8
    assert set(stack.workspace_dump()["scopes"]) == {scope}

    stack.set_secret("openaiApiKey", "sk-test-suffix-openai-1111")  # an update that rewrites a child in place
    stack.up()
    stack.run("refresh", "--yes", "--skip-preview")
    stack.preview("--expect-no-changes")
    assert stack.outputs()["scopes"] == [scope]
    assert set(stack.workspace_dump()["scopes"]) == {scope}
    stack.destroy()
