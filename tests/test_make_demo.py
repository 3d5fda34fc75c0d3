"""What `make demo` builds: only what the chosen example needs, and no CLI when a
suitable pulumi is installed (toolchain/toolchain.mk, toolchain/pulumi-on-path.sh)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devtools.local_stack import BIN, ROOT

pytestmark = [pytest.mark.unit, pytest.mark.slow]

PINNED = "v3.274.1"


def fake_pulumi(folder: Path, version: str) -> Path:
    """A `pulumi` in folder/bin that reports the given version."""
    exe = folder / "bin" / "pulumi"
    exe.parent.mkdir(parents=True)
    exe.write_text(f'#!/bin/sh\n[ "$1" = version ] && echo {version}\n')
    exe.chmod(0o755)
    return exe


def on_path(*folders: Path) -> str:
    """What toolchain/pulumi-on-path.sh chooses with only ``folders`` on PATH."""
    env = {**os.environ, "PATH": ":".join(map(str, folders))}
    done = subprocess.run(
        ["/bin/sh", "toolchain/pulumi-on-path.sh", PINNED, str(BIN)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("version", "used"),
    [("v3.274.1", True), ("v3.280.0", True), ("v3.274.1-dev.0", True), ("v3.200.0", False), ("v4.0.0", False)],
)
def test_an_installed_pulumi_is_used_when_same_major_and_no_older(tmp_path: Path, version: str, used: bool) -> None:
    exe = fake_pulumi(tmp_path, version)
    assert on_path(exe.parent, Path("/usr/bin"), Path("/bin")) == (str(exe) if used else "")


def test_nothing_is_chosen_without_a_pulumi_on_path(tmp_path: Path) -> None:
    # The script stops at `command -v pulumi`, a shell builtin: a PATH of one empty folder will do.
    assert on_path(tmp_path) == ""


def planned(*args: str) -> str:
    """Every command `make -n -B` would run: the whole graph, built or not."""
    done = subprocess.run(
        ["make", "-n", "-B", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_demo_of_the_python_example_builds_no_other_language() -> None:
    plan = planned("demo", "PULUMI=/opt/pulumi/bin/pulumi")
    assert "python-venv" in plan and "llmkeyvault-workspace-emulator" in plan
    assert "npm ci" not in plan
    assert "gcp-go" not in plan
    assert "pkg/v3/cmd/pulumi" not in plan and "Building the Pulumi CLI" not in plan  # the installed CLI is used
    assert "pulumi-language-yaml" not in plan  # it comes with its own YAML host
    assert "LLMKEYVAULT_PULUMI=/opt/pulumi/bin/pulumi" in plan


def test_demo_builds_the_cli_and_only_that_examples_language() -> None:
    go = planned("demo", "DEMO_EXAMPLE=gcp-go", f"PULUMI={BIN / 'pulumi'}")
    assert "pkg/v3/cmd/pulumi" in go and "Building the Pulumi CLI" in go
    assert "go -C examples/gcp-go test -c" in go and "npm ci" not in go
    yaml_example = planned("demo", "DEMO_EXAMPLE=yaml", f"PULUMI={BIN / 'pulumi'}")
    assert "cmd/pulumi-language-yaml" in yaml_example and "npm ci" not in yaml_example and "gcp-go" not in yaml_example
    typescript = planned("demo", "DEMO_EXAMPLE=azure-typescript", f"PULUMI={BIN / 'pulumi'}")
    assert "npm ci" in typescript and "gcp-go" not in typescript


def test_the_other_go_binaries_are_built_after_the_cli() -> None:
    """They share the CLI's packages (tests/test_toolchain.py): built after it, they find them
    in the build cache instead of compiling them side by side."""
    plan = planned("demo", "DEMO_CONSUMER=serving-yaml", f"PULUMI={BIN / 'pulumi'}").splitlines()
    cli = next(i for i, line in enumerate(plan) if "Building the Pulumi CLI" in line)
    for binary in ("cmd/llmkeyvault-workspace-emulator", "cmd/pulumi-language-yaml"):
        assert cli < next(i for i, line in enumerate(plan) if binary in line), binary
