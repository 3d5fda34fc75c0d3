"""The key detector, both ways: ordinary names pass, known key formats are refused.

Names come from tests/data/ordinary_names.txt; keys are made at test time in the
documented shapes (support/fake_keys.py), so none is committed. Each key is tried
in every plain field, as the whole value and after a prefix, through the planner.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from llmkeyvault_provider import InvalidInput, rules
from llmkeyvault_provider.plan import check_inputs
from support.fake_keys import ALNUM, SHAPES, SPREAD_SHAPES, fake_keys

from devtools.local_stack import ROOT

NAMES_FILE = Path(__file__).parent / "data" / "ordinary_names.txt"
KEY = "sk-test-detector-0000"
UC = {"backend": "unity-catalog"}


def ordinary_names() -> list[tuple[str, str]]:
    rows = []
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            field, name = line.split("\t")
            rows.append((field, name))
    return rows


NAMES = ordinary_names()
KEYS = fake_keys()
#: fields whose values tools generate: formats without a prefix are not looked for there
GENERATED_NAME_FIELDS = ("unityCatalog.catalog", "unityCatalog.schema")


def inputs_with(field: str, value: str) -> tuple[str, dict[str, Any]]:
    """(resource name, inputs) with ``value`` in ``field`` and every other input ordinary."""
    provider: dict[str, Any] = {"name": "openai", "apiKey": KEY}
    uc = {**UC, "unityCatalog": {"catalog": "main", "schema": "llm_keys"}}
    match field:
        case "resource":
            return value, {"providers": [provider]}
        case "provider" | "providers[0].name":
            return "llm", {"providers": [{**provider, "name": value}]}
        case "secretKey" | "providers[0].secretKey":
            return "llm", {"providers": [{**provider, "secretKey": value}]}
        case "envVarName" | "providers[0].envVarName":
            return "llm", {"providers": [{**provider, "envVarName": value}]}
        case "scope" | "scopeName":
            return "llm", {"providers": [provider], "scopeName": value}
        case "principal" | "readers[0]":
            return "llm", {"providers": [provider], "readers": [value]}
        case "writers[0]" | "managers[0]":
            return "llm", {"providers": [provider], field.removesuffix("[0]"): [value]}
        case "providers[0].readers[0]":
            return "llm", {"providers": [{**provider, "readers": [value]}], "scopePerProvider": True}
        case "referencers[0]":
            return "llm", {"providers": [provider], **uc, "referencers": [value]}
        case "catalog" | "unityCatalog.catalog":
            return "llm", {"providers": [provider], **uc, "unityCatalog": {"catalog": value, "schema": "llm_keys"}}
        case "schema" | "unityCatalog.schema":
            return "llm", {"providers": [provider], **uc, "unityCatalog": {"catalog": "main", "schema": value}}
    raise AssertionError(f"no such field {field}")


def plan_field(field: str, value: str) -> None:
    """Plan with ``value`` in ``field``; raises ``InvalidInput`` when it is refused."""
    resource, inputs = inputs_with(field, value)
    check_inputs(resource, inputs)


def test_the_corpus_is_large_and_holds_every_kind_of_name() -> None:
    assert len(NAMES) >= 50
    kinds = {field for field, _ in NAMES}
    assert {"principal", "scope", "catalog", "schema", "secretKey", "envVarName", "provider", "resource"} <= kinds
    uuids = [n for f, n in NAMES if f == "principal" and re.fullmatch(rules.UUID_PATTERN, n)]
    assert len(uuids) >= 4, "service principals by application id"


@pytest.mark.parametrize(("field", "name"), NAMES, ids=[f"{f}:{n}" for f, n in NAMES])
def test_an_ordinary_name_passes(field: str, name: str) -> None:
    generated = field in ("catalog", "schema")
    assert rules.key_material_problem(name, bare_tokens=not generated) is None
    plan_field(field, name)


def test_at_least_30_key_formats_with_sources_and_a_fake_of_each() -> None:
    prefixed = [f for f in rules.KEY_FORMATS if not f.bare]
    assert len(prefixed) >= 30
    assert {f.id for f in rules.KEY_FORMATS} == set(KEYS) | {s.id for s in SPREAD_SHAPES}
    for fmt in rules.KEY_FORMATS:
        assert fmt.source and fmt.what, fmt.id


def test_the_docs_list_every_format_with_its_source() -> None:
    doc = (ROOT / "docs" / "key-formats.md").read_text(encoding="utf-8")
    for fmt in rules.KEY_FORMATS:
        row = next((line for line in doc.splitlines() if f"`{fmt.id}`" in line), None)
        assert row is not None, f"{fmt.id} is not in docs/key-formats.md"
        assert fmt.source.split(";")[0] in row, f"{fmt.id}: the docs cite another source"


@pytest.mark.parametrize("format_id", sorted(KEYS))
def test_a_key_is_found_whole_and_after_a_prefix(format_id: str) -> None:
    key = KEYS[format_id]
    for value in (key, "team:" + key, "svc " + key, "prod_" + key + "_v2", f"{key}-readers"):
        found = rules.find_key_format(value)
        assert found is not None, f"{format_id} not found in a value of {len(value)} characters"
        assert found.id == format_id, found.id


PLAIN_FIELDS = (
    "providers[0].name",
    "providers[0].secretKey",
    "providers[0].envVarName",
    "scopeName",
    "readers[0]",
    "writers[0]",
    "managers[0]",
    "providers[0].readers[0]",
    "referencers[0]",
    "unityCatalog.catalog",
    "unityCatalog.schema",
)


@pytest.mark.parametrize("field", PLAIN_FIELDS)
def test_every_key_format_is_refused_in_every_plain_field(field: str) -> None:
    tried = 0
    for format_id, key in sorted(KEYS.items()):
        if field in GENERATED_NAME_FIELDS and format_id == "azure-openai":
            continue
        for value in (key, "team:" + key):
            resource, inputs = inputs_with(field, value)
            with pytest.raises(InvalidInput) as caught:
                check_inputs(resource, inputs)
            (error,) = [e for e in caught.value.errors if e.path == field]
            assert "key material" in error.reason and error.withhold_value, (format_id, error.reason)
            assert key not in str(caught.value)
            tried += 1
    assert tried >= 60


def test_32_hex_is_refused_in_names_and_principals_but_not_in_uc_names() -> None:
    hex32 = KEYS["azure-openai"]
    for field in ("scopeName", "providers[0].secretKey", "readers[0]", "providers[0].name", "providers[0].envVarName"):
        resource, inputs = inputs_with(field, hex32)
        with pytest.raises(InvalidInput) as caught:
            check_inputs(resource, inputs)
        assert any(e.path == field and "Azure OpenAI" in e.reason for e in caught.value.errors), field
    for field in GENERATED_NAME_FIELDS:
        plan_field(field, hex32)
    # An application id is a UUID with dashes: the same hex digits, and no key.
    uuid = f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"
    plan_field("readers[0]", uuid)


def test_every_random_32_hex_key_is_refused() -> None:
    rng = random.Random(7)
    keys = ["".join(rng.choice("0123456789abcdef") for _ in range(32)) for _ in range(2000)]
    assert all(rules.key_material_problem(k) is not None for k in keys)


@pytest.mark.parametrize("shape", SPREAD_SHAPES, ids=[s.id for s in SPREAD_SHAPES])
def test_prefixless_alphanumeric_keys_are_mostly_refused(shape: Any) -> None:
    """Mistral (32) and Cohere (40) keys have no prefix; a CamelCase name of that length
    must pass, so a few random keys (measured: under 4%) look too much like one."""
    rng = random.Random(11)
    keys = [shape.make(rng) for _ in range(2000)]
    found = sum(rules.find_key_format(k) is not None for k in keys)
    assert found >= 0.95 * len(keys), found
    assert all(rules.find_key_format(k, bare_tokens=False) is None for k in keys)


@pytest.mark.parametrize("prefix", ["AKIA", "ASIA"])
def test_aws_key_ids_without_a_digit_are_the_measured_miss(prefix: str) -> None:
    """An AWS id must hold a digit among its 16 (so that upper-case names pass): a random id
    has none with odds (26/32)^16, about 3.6% (docs/key-formats.md)."""
    rng = random.Random(2026)
    ids = [prefix + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)) for _ in range(2000)]
    missed = [i for i in ids if rules.find_key_format(i) is None]
    assert all(not any(c in "234567" for c in i[4:]) for i in missed)
    assert len(missed) < 0.05 * len(ids), len(missed)
    assert rules.find_key_format(prefix + "PACIFICSALESTEAM") is None


@pytest.mark.parametrize(
    "value",
    [
        "fw_" + "aB3" * 7 + "aB",  # Fireworks is 24 after 'fw_': 23 is not a key
        "gsk_" + "aB3d" * 12,  # Groq is 52 after 'gsk_': 48 is not a key
        "AKIA" + "ABCDEFGHIJKLMNO",  # 15 after AKIA
        "hf_" + "abcdefghijklmnopqrstuvwxyzabcdefgh",  # 34 letters of one case: a word, not a token
        "xsk-" + "a1B2" * 12,  # 'sk-' inside a word
    ],
)
def test_a_near_miss_is_not_a_key(value: str) -> None:
    assert rules.key_material_problem(value) is None


def test_a_camel_case_name_of_key_length_passes() -> None:
    for name in ("DataScienceTeamReaders2024EuWest", "AnalyticsPlatformEngineers2024Q3Eu0001Prod"):
        assert len(name) in (32, 40) or len(name) > 40
        assert rules.key_material_problem(name) is None


def test_a_long_value_is_shown_cut_and_a_key_never() -> None:
    long = "team-" + "x" * 5000
    shown = rules.quoted(long)
    assert len(shown) < 2 * rules.SHOWN_MAX_LENGTH and "(5005 characters)" in shown
    assert rules.quoted("team:" + KEYS["anthropic-api"]) == "the value given"
    assert rules.quoted("llm-keys") == "'llm-keys'"


def test_random_alphanumeric_strings_are_not_refused_without_a_known_shape() -> None:
    """The entropy rule is gone: a random token of no known length and prefix passes."""
    rng = random.Random(5)
    token = "".join(rng.choice(ALNUM) for _ in range(36))
    assert rules.key_material_problem(token) is None


def test_every_shape_has_an_id_the_detector_knows() -> None:
    ids = {f.id for f in rules.KEY_FORMATS}
    assert all(s.id in ids for s in (*SHAPES, *SPREAD_SHAPES))
