"""The package version: ``version`` in schema.yaml, the one place it is set.

Read without a YAML parser so that packaging tools can evaluate it before any
dependency is installed.
"""

from __future__ import annotations

import re
from pathlib import Path


def _read_version() -> str:
    text = Path(__file__).with_name("schema.yaml").read_text(encoding="utf-8")
    match = re.search(r"^version:\s*([0-9][^\s#]*)", text, re.MULTILINE)
    if match is None:
        raise RuntimeError("schema.yaml has no version")
    return match.group(1)


__version__ = _read_version()
