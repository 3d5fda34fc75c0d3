"""The Go binaries built here share one set of dependency versions, so that whichever is
built first leaves the others little to compile (toolchain/toolchain.mk)."""

from __future__ import annotations

import subprocess

import pytest

from devtools.local_stack import ROOT

pytestmark = [pytest.mark.unit, pytest.mark.slow]

CLI = ("toolchain", "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi")
OTHERS = {
    "YAML host": ("toolchain", "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"),
    "workspace emulator": ("emulator", "./cmd/llmkeyvault-workspace-emulator"),
    "Python host": ("toolchain/pyhost", "."),
}


def compiled_modules(module_dir: str, package: str) -> dict[str, str]:
    """Every module whose packages go into the binary, with its version."""
    done = subprocess.run(
        ["go", "-C", module_dir, "list", "-deps", "-f", "{{with .Module}}{{.Path}} {{.Version}}{{end}}", package],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


@pytest.mark.parametrize("binary", sorted(OTHERS))
def test_shared_modules_are_the_clis_versions(binary: str) -> None:
    cli = compiled_modules(*CLI)
    other = compiled_modules(*OTHERS[binary])
    shared = sorted(set(cli) & set(other))
    assert len(shared) > 20, shared  # grpc, protobuf, pulumi's sdk, opentelemetry, ...
    assert {m: other[m] for m in shared} == {m: cli[m] for m in shared}
