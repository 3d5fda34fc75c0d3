"""`make demo` twice: the second run changes nothing, and no key is printed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.local_stack import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def demo(tmp_path: Path, example: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "devtools.demo", example, "--dir", str(tmp_path)],
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
