"""The package schema (``schema.yaml``), the single statement of the public API.

The provider answers ``GetSchema`` with it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.yaml")

#: type token of the component, as in the schema
VAULT_TYPE = "llmkeyvault:index:LlmKeyVault"


@functools.cache
def load_schema() -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SCHEMA_PATH.open(encoding="utf-8") as f:
        schema: dict[str, Any] = yaml.load(f, Loader=loader)  # noqa: S506 - a safe loader
    return schema


@functools.cache
def schema_json() -> str:
    return json.dumps(load_schema(), indent=2, sort_keys=True)
