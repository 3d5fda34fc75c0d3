"""`make demo` twice: the second run changes nothing, and no key is printed; examples and consumers
switched in any order, with no cleanup between."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.demo import VARIANTS, room
from devtools.local_stack import ROOT, LocalStack
from devtools.workspace import digest


def demo(tmp_path: Path, example: str, *extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "devtools.demo", example, "--dir", str(tmp_path), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout + done.stderr


@pytest.mark.e2e
@pytest.mark.slow
def test_a_unity_catalog_demo_is_idempotent_and_prints_no_key(engine_ready: None, tmp_path: Path) -> None:
    """The default demo's second run is in the switching test below."""
    example = "unity-catalog-yaml"
    first = demo(tmp_path, example)
    assert re.search(r"\+ \d+ created", first)
    assert "The emulated workspace now holds" in first
    second = demo(tmp_path, example)
    assert re.search(r"\b\d+ unchanged", second) and "created" not in second.split("Resources:")[1]
    config = (tmp_path / example / "vault" / "project" / "Pulumi.demo.yaml").read_text()
    assert "sk-test-demo" not in config  # stored encrypted
    assert "sk-test-demo" not in first + second


def changes(output: str) -> list[str]:
    """Each stack's summary of changes in one demo run's output."""
    return [s.split("Duration:")[0] for s in output.split("Resources:")[1:]]


@pytest.mark.e2e
@pytest.mark.slow
def test_examples_and_consumers_switch_in_any_order_without_cleanup(engine_ready: None, tmp_path: Path) -> None:
    """What `make demo` runs by default (aws-python and its serving consumer), then two examples
    that name the same scope (llm-keys-demo), each with and without the serving consumer, one
    after another in one demo folder, and the default again: each run succeeds, the endpoint is
    shown with its references and never a value, and a combination run before changes nothing
    when it comes back."""
    first = demo(tmp_path, "aws-python", "--consumer", "serving-yaml")
    vault_run, consumer_run = first.split("Deploying examples/serving-yaml", 1)
    assert re.search(r"\+ \d+ created", vault_run) and "+ 2 created" in consumer_run
    assert "The emulated workspace now holds" in vault_run
    assert "READ   llm-serving-app" in vault_run  # the serving identity is among the vault's readers
    endpoint = consumer_run.split("Model Serving endpoints")[1]
    assert "endpoint llm-chat (created by llm-serving-app)" in endpoint
    assert "uses {{secrets/llm-keys-demo/openai-api-key}}" in endpoint  # the scope is named after the stack
    # both stacks keep state in the example's backend, and the keys are stored encrypted
    assert (tmp_path / "aws-python" / "state").is_dir()
    assert not (tmp_path / "aws-python" / "serving-yaml" / "state").exists()
    assert "sk-test-demo" not in (tmp_path / "aws-python" / "vault" / "project" / "Pulumi.demo.yaml").read_text()

    yaml_with = demo(tmp_path, "yaml", "--consumer", "serving-yaml")  # the same scope name, its own workspace
    assert re.search(r"\+ \d+ created", changes(yaml_with)[0]) and "+ 2 created" in changes(yaml_with)[1]
    alone = demo(tmp_path, "aws-python")  # the vault without its consumer: the same state and passphrase
    assert len(changes(alone)) == 1 and "created" not in changes(alone)[0] and "updated" not in changes(alone)[0]
    yaml_alone = demo(tmp_path, "yaml")
    assert "created" not in changes(yaml_alone)[0] and "updated" not in changes(yaml_alone)[0]
    uc = demo(tmp_path, "unity-catalog-yaml", "--consumer", "serving-yaml")  # nothing for this consumer to read
    assert re.search(r"\+ \d+ created", uc) and "the consumer is not deployed" in uc
    again = demo(tmp_path, "aws-python", "--consumer", "serving-yaml")
    assert len(changes(again)) == 2 and "2 unchanged" in changes(again)[1]
    assert [("created" in c or "updated" in c) for c in changes(again)] == [False, False]
    assert "sk-test-demo" not in first + yaml_with + alone + yaml_alone + uc + again


@pytest.mark.e2e
@pytest.mark.slow
def test_a_vault_first_deployed_alone_takes_its_consumer_later(engine_ready: None, tmp_path: Path) -> None:
    """The vault lists the consumer's identity from its first run, so adding the consumer changes
    nothing in the vault."""
    demo(tmp_path, "yaml")
    later = demo(tmp_path, "yaml", "--consumer", "serving-yaml")
    vault, consumer = changes(later)
    assert "created" not in vault and "updated" not in vault
    assert "+ 2 created" in consumer


@pytest.mark.unit
def test_an_earlier_demo_layout_is_replaced_and_an_unknown_consumer_refused(tmp_path: Path) -> None:
    """Folders of the demo's earlier layout (the project copy at an example's top, one backend for
    every example in shared/) would pair a stack with another passphrase: they are removed."""
    for legacy in ("aws-python/project", "aws-python/pulumi-home", "shared/state", "yaml/vault/project"):
        (tmp_path / legacy).mkdir(parents=True)
    assert room(tmp_path, "aws-python") == tmp_path / "aws-python"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "yaml",
        "yaml/vault",
        "yaml/vault/project",
    ]
    assert room(tmp_path, "yaml") == tmp_path / "yaml" and (tmp_path / "yaml" / "vault" / "project").is_dir()
    refused = subprocess.run(
        [sys.executable, "-m", "devtools.demo", "yaml", "--dir", str(tmp_path), "--consumer", "serving-uc-yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "serving-uc-yaml is not deployed by the demo" in refused.stderr


@pytest.mark.e2e
@pytest.mark.slow
def test_demo_of_a_vault_with_an_external_key(engine_ready: None, tmp_path: Path) -> None:
    """`make demo DEMO_EXAMPLE=external`: the external key is written outside Pulumi, the consumer uses
    it, a rotation outside Pulumi leaves the vault with nothing to change, and no value is in the state."""
    first = demo(tmp_path, "external", "--consumer", "serving-yaml")
    vault_run, consumer_run = first.split("Deploying examples/serving-yaml", 1)
    assert "External key of anthropic written by security-team, outside Pulumi" in vault_run
    assert "databricks secrets put-secret llm-keys-external-demo anthropic-api-key < anthropic.key" in vault_run
    endpoint = consumer_run.split("Model Serving endpoints")[1]
    assert "uses {{secrets/llm-keys-external-demo/anthropic-api-key}}" in endpoint

    folder = tmp_path / "external"
    vault = LocalStack(VARIANTS["external"], folder / "vault", stack="demo", shared=folder)
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
