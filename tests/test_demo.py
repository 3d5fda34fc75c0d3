"""`make demo` twice: the second run changes nothing, and no key is printed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.demo import VARIANTS
from devtools.local_stack import ROOT, LocalStack
from devtools.workspace import digest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def demo(tmp_path: Path, example: str, *extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "devtools.demo", example, "--dir", str(tmp_path), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("example", ["aws-python", "unity-catalog-yaml"])
def test_demo_is_idempotent_and_prints_no_key(engine_ready: None, tmp_path: Path, example: str) -> None:
    first = demo(tmp_path, example)
    assert re.search(r"\+ \d+ created", first)
    assert "The emulated workspace now holds" in first
    second = demo(tmp_path, example)
    assert re.search(r"\b\d+ unchanged", second) and "created" not in second.split("Resources:")[1]
    config = (tmp_path / example / "project" / "Pulumi.demo.yaml").read_text()
    assert "sk-test-demo" not in config  # stored encrypted
    assert "sk-test-demo" not in first + second


def test_demo_deploys_the_vault_then_its_serving_consumer(engine_ready: None, tmp_path: Path) -> None:
    """What `make demo` runs by default: the endpoint is shown with its references, never a value."""
    first = demo(tmp_path, "aws-python", "--consumer", "serving-yaml")
    vault_run, consumer_run = first.split("Deploying examples/serving-yaml", 1)
    assert re.search(r"\+ \d+ created", vault_run) and "+ 2 created" in consumer_run
    assert "READ   llm-serving-app" in vault_run  # the serving identity is among the vault's readers
    endpoint = consumer_run.split("Model Serving endpoints")[1]
    assert "endpoint llm-chat (created by llm-serving-app)" in endpoint
    assert "uses {{secrets/llm-keys-demo/openai-api-key}}" in endpoint  # the scope is named after the stack
    second = demo(tmp_path, "aws-python", "--consumer", "serving-yaml")
    sections = [s.split("Duration:")[0] for s in second.split("Resources:")[1:]]
    assert len(sections) == 2 and all("created" not in s and "updated" not in s for s in sections)
    assert "2 unchanged" in sections[1]
    assert "sk-test-demo" not in first + second
    assert not (tmp_path / "aws-python" / "state").exists()  # both stacks keep state in the shared backend


@pytest.fixture(scope="module")
def yaml_engine() -> None:
    """What a YAML vault and the YAML consumer need: the toolchain, the built plugin, the emulator."""
    subprocess.run(["make", "--no-print-directory", "tools", "build", "emulator"], cwd=ROOT, check=True)


def test_demo_of_a_vault_with_an_external_key(yaml_engine: None, tmp_path: Path) -> None:
    """`make demo DEMO_EXAMPLE=external`: the external key is written outside Pulumi, the consumer uses
    it, a rotation outside Pulumi leaves the vault with nothing to change, and no value is in the state."""
    first = demo(tmp_path, "external", "--consumer", "serving-yaml")
    vault_run, consumer_run = first.split("Deploying examples/serving-yaml", 1)
    assert "External key of anthropic written by security-team, outside Pulumi" in vault_run
    assert "databricks secrets put-secret llm-keys-external-demo anthropic-api-key < anthropic.key" in vault_run
    endpoint = consumer_run.split("Model Serving endpoints")[1]
    assert "uses {{secrets/llm-keys-external-demo/anthropic-api-key}}" in endpoint

    vault = LocalStack(VARIANTS["external"], tmp_path / "external", stack="demo", shared=tmp_path / "shared")
    before = vault.workspace_dump()["secrets"]["llm-keys-external-demo"]["anthropic-api-key"]["valueSha256"]
    rotated = "sk-test-demo-rotated-0123456789ab"
    place = ("--scope", "llm-keys-external-demo", "--key", "anthropic-api-key")
    vault.emulator_stdin("put-secret", rotated, *place, "--caller", "security-team")
    after = vault.workspace_dump()["secrets"]["llm-keys-external-demo"]["anthropic-api-key"]["valueSha256"]
    assert after == digest(rotated) != before
    vault.preview("--expect-no-changes")

    second = demo(tmp_path, "external", "--consumer", "serving-yaml")
    assert "External key of anthropic written" not in second  # the key is there: the demo leaves it
    sections = [s.split("Duration:")[0] for s in second.split("Resources:")[1:]]
    assert len(sections) == 2 and all("created" not in s and "updated" not in s for s in sections)
    assert vault.run("stack", "export", "--show-secrets").stdout.count("sk-test-demo-rotated") == 0
    assert "sk-test-demo" not in first + second
