"""Misuses of the generated Python SDK that mypy must reject.

tests/test_sdks.py runs mypy on this file and expects an error on exactly the lines
marked ``# type error``, so the typed program next to it proves something.
"""

from __future__ import annotations

import pulumi_llmkeyvault as llmkeyvault

llmkeyvault.ProviderKeyArgs(name="openai", external="yes")  # type error: external is a boolean
llmkeyvault.ProviderKeyArgs(name="openai", api_key=42)  # type error: apiKey is a string
llmkeyvault.LlmKeyVaultArgs(
    providers=[llmkeyvault.ProviderKeyArgs(name="openai", api_key="k")],
    unique_suffix="yes",  # type error: a boolean
)
llmkeyvault.LlmKeyVault("v", providers=[{"name": "openai", "apiKey": "k"}])  # type error: Python names in dicts
