"""What the audit reads from a vault stack's outputs, and how it refuses what it cannot use."""

from __future__ import annotations

import pytest
from llmkeyvault_audit.model import Severity
from llmkeyvault_audit.targets import DeclaredKey, TargetError, declared_from_names, declared_from_outputs

pytestmark = pytest.mark.unit


def test_outputs_exported_one_by_one() -> None:
    d = declared_from_outputs(
        {
            "scopes": ["llm-keys"],
            "scopeNames": {"openai": "llm-keys"},
            "secretKeys": {"openai": "openai-api-key"},
            "grants": [{"scope": "llm-keys", "principal": "Data-Science", "permission": "READ"}],
            "expirations": {"openai": "2027-01-01T00:00:00Z"},
            "externalKeys": ["openai"],
        }
    )
    assert d.from_stack and d.scopes == ["llm-keys"]
    assert d.keys == [DeclaredKey("openai", scope="llm-keys", key="openai-api-key")]
    assert d.grants == {("llm-keys", "data-science", "READ")}  # principals compare without case
    assert d.expirations == {"openai": "2027-01-01T00:00:00Z"} and d.external == {"openai"}


def test_several_vaults_exported_as_objects_and_secret_outputs_ignored() -> None:
    d = declared_from_outputs(
        {
            "dbx": {"scopes": ["a"], "grants": [{"scope": "a", "principal": "x", "permission": "MANAGE"}]},
            "uc": {
                "secretFullNames": {"openai": "Main.LLM.openai_api_key", "cohere": "[secret]"},
                "grants": [
                    {"scope": "", "secret": "main.llm.openai_api_key", "principal": "r", "permission": "read_secret"}
                ],
            },
            "unrelated": {"endpoint": "x"},
        }
    )
    assert d.scopes == ["a"] and d.uc_secrets == ["Main.LLM.openai_api_key"]
    assert d.grants == {("a", "x", "MANAGE"), ("main.llm.openai_api_key", "r", "READ_SECRET")}


def test_refusals_name_what_to_do() -> None:
    with pytest.raises(TargetError, match="export them from the program"):
        declared_from_outputs({"endpointName": "llm-chat"})
    with pytest.raises(TargetError, match=r"--uc-secret 'main\.llm': expected CATALOG\.SCHEMA\.NAME"):
        declared_from_names([], ["main.llm"])
    named = declared_from_names(["b", "a", "b"], ["Main.LLM.Key"])
    assert named.scopes == ["a", "b"] and named.uc_secrets == ["main.llm.key"] and not named.from_stack


def test_severities_parse_and_order() -> None:
    assert Severity.parse(" High ") is Severity.HIGH
    assert Severity.CRITICAL > Severity.HIGH > Severity.MEDIUM > Severity.LOW > Severity.INFO
    with pytest.raises(ValueError, match="info, low, medium, high, critical"):
        Severity.parse("severe")


def test_keys_from_secret_references_when_scope_names_are_not_exported() -> None:
    d = declared_from_outputs(
        {"scopes": ["llm-keys-demo"], "secretReferences": {"openai": "{{secrets/llm-keys-demo/openai-api-key}}"}}
    )
    assert d.keys == [DeclaredKey("openai", scope="llm-keys-demo", key="openai-api-key")]
