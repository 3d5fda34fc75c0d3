"""How each example's program is run when its language host is not at hand.

The pinned toolchain builds the Pulumi CLI and the YAML language host; the
Python, Node.js and Go hosts are not served by the Go module proxy (see
docs/toolchain.md). Programs in those languages therefore run through their
SDK's Automation API as inline programs, whose language runtime lives in the
driver process: the same program file, the same engine, no host binary. The
drivers live in toolchain/drivers/ (toolchain/README.md).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from devtools.local_stack import ROOT

DRIVERS = ROOT / "toolchain" / "drivers"
BUILD = ROOT / "build" / "examples"


def runtime_of(project: Path) -> str:
    with (project / "Pulumi.yaml").open(encoding="utf-8") as f:
        runtime = yaml.safe_load(f)["runtime"]
    return str(runtime["name"] if isinstance(runtime, dict) else runtime)


def driver_for(project: Path) -> list[str] | None:
    """The command that runs up/preview/destroy for this project, or None for the CLI itself."""
    runtime = runtime_of(project)
    if runtime == "yaml":
        return None
    if runtime == "python":
        return [str(BUILD / "python-venv" / "bin" / "python"), str(DRIVERS / "python_inline.py")]
    if runtime == "nodejs":
        return ["node", str(BUILD / "nodejs" / "driver" / "node_inline.js")]
    if runtime == "go":
        return [str(go_driver(project))]
    raise ValueError(f"no driver for runtime {runtime!r}")


def go_driver(project: Path) -> Path:
    """A Go example's driver: its own package with its inline_test.go, built by `go test -c`.

    Go cannot load a program's package from another binary, so each Go example
    carries its driver and is compiled into a binary of its own (mk/examples.mk).
    """
    return BUILD / "go" / f"{project.name}-inline"
