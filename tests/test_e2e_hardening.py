"""Refusals through the real engine against the workspace emulator: the engine
prints the field path, never a key, never panics, and nothing is created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.fake_keys import fake_keys

from devtools.local_stack import ROOT, LocalStack, dump_yaml, load_yaml, yaml_vault_project
from devtools.workspace import DEPLOYER, is_empty

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

E2E = ROOT / "tests" / "e2e"
KEY = "sk-test-hardening-openai-0000"
PASTED = fake_keys(seed=3)["openai-project"]


def assert_clean(printed: str) -> None:
    assert KEY not in printed and PASTED not in printed
    assert "panic" not in printed.lower() and "Traceback" not in printed


@pytest.mark.parametrize(
    ("secrets", "config", "path", "reason"),
    [
        ({"openaiApiKey": ""}, {}, "providers[0].apiKey", "must not be empty or blank"),
        ({"openaiApiKey": KEY}, {"scopeName": PASTED}, "scopeName", "looks like key material"),
    ],
    ids=["empty secret key", "key pasted into scopeName"],
)
def test_a_refused_input_fails_preview_with_its_path_and_no_key(
    engine_ready: None, tmp_path: Path, secrets: dict[str, str], config: dict[str, str], path: str, reason: str
) -> None:
    stack = LocalStack(E2E / "one-key", tmp_path)
    stack.init(secrets, config)
    result = stack.preview(check=False)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert path in printed and reason in printed
    assert_clean(printed)
    assert is_empty(stack.workspace_dump())


def test_a_reader_from_another_resource_is_refused_in_preview_and_works_once_known(
    engine_ready: None, tmp_path: Path
) -> None:
    stack = LocalStack(E2E / "reader-from-output", tmp_path)
    stack.init({"openaiApiKey": KEY})
    result = stack.preview(check=False)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert "readers[0]" in printed and "must be known during preview" in printed
    assert_clean(printed)
    assert is_empty(stack.workspace_dump())
    # As the message says: once the value is known, the vault deploys.
    stack.up()
    grants = stack.outputs()["grants"]
    (grant,) = [g for g in grants if g["principal"] != DEPLOYER]
    assert grant["principal"].startswith("reader-") and grant["permission"] == "READ"
    # The deploying identity keeps its own MANAGE (deployerAcl), listed with the grants.
    assert {"scope": grant["scope"], "principal": DEPLOYER, "permission": "MANAGE"} in grants
    stack.preview("--expect-no-changes")
    stack.destroy()
    assert is_empty(stack.workspace_dump())


# Probes of the key detector, secret names and huge inputs, through the real engine.

MIB = 1024 * 1024


def vault_stack(
    tmp_path: Path,
    properties: dict[str, Any],
    *,
    secret_config: tuple[str, ...] = (),
    plain_config: tuple[str, ...] = (),
    resource: str = "llmKeys",
) -> LocalStack:
    """A YAML program of one vault with ``properties``: ``${apiKey}`` and each of ``secret_config``
    are secret settings, each of ``plain_config`` a plain one."""
    source = yaml_vault_project(
        tmp_path / "source",
        "llm-keys-probe",
        properties,
        secret_config=("apiKey", *secret_config),
        resource=resource,
        outputs=("scopes", "grants", "expirations", "secretKeys"),
    )
    project = load_yaml((source / "Pulumi.yaml").read_text())
    project["config"].update({key: {"type": "string"} for key in plain_config})
    (source / "Pulumi.yaml").write_text(dump_yaml(project))
    return LocalStack(source, tmp_path / "stack")


def refused(stack: LocalStack, paths: list[str]) -> str:
    """Preview must fail naming every path; returns what the engine printed."""
    result = stack.preview(check=False)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    for path in paths:
        assert path in printed, f"{path} not named:\n{printed[-3000:]}"
    assert_clean(printed)
    assert "Unexpected" not in printed and "date value out of range" not in printed
    assert "peer header list" not in printed
    assert is_empty(stack.workspace_dump())
    return printed


def test_ordinary_names_deploy_and_an_early_expiry_has_a_four_digit_year(engine_ready: None, tmp_path: Path) -> None:
    stack_readers = [
        "data-science-team-2024-eu-west-1-readers",
        "ASIA-Pacific-Analysts-Group",
        "gsk_pharma_data_science_readers",
        "sk-learn-contributors-group",
        "prod_catalog_2024_Q3_analytics_v2",
    ]
    stack = vault_stack(
        tmp_path,
        {
            "providers": [
                {
                    "name": "openai",
                    "apiKey": "${apiKey}",
                    "secretKey": "hf_models_production_scope",
                    "envVarName": "OPENAI_API_KEY_PROD_EU_WEST_1_2024_V2",
                    "expiresAt": "0999-06-01T00:00:00Z",
                }
            ],
            "readers": stack_readers,
        },
        resource="data-science-llm-keys-prod-2024-eu",
    )
    stack.init({"apiKey": KEY})
    up = stack.up()
    assert_clean(up.stdout + up.stderr)
    outputs = stack.outputs()
    assert outputs["scopes"] == ["data-science-llm-keys-prod-2024-eu"]
    assert outputs["expirations"] == {"openai": "0999-06-01T00:00:00Z"}
    # the five readers' READ, and the deploying identity's own MANAGE (deployerAcl)
    assert sorted((g["principal"], g["permission"]) for g in outputs["grants"]) == sorted(
        [(r, "READ") for r in stack_readers] + [(DEPLOYER, "MANAGE")]
    )
    stack.destroy()
    assert is_empty(stack.workspace_dump())


def test_keys_of_known_formats_are_refused_anywhere_in_a_value(engine_ready: None, tmp_path: Path) -> None:
    keys = fake_keys(seed=21)
    pasted = {
        "scopeName": keys["azure-openai"],
        "team": "team:" + keys["anthropic-api"],
        "svc": "svc " + keys["openai-project"],
        "fireworks": keys["fireworks"],
    }
    stack = vault_stack(
        tmp_path,
        {
            "scopeName": "${scopeName}",
            "providers": [{"name": "openai", "apiKey": "${apiKey}", "secretKey": "${fireworks}"}],
            "readers": ["${team}", "data-science"],
            "writers": ["${svc}"],
        },
        plain_config=tuple(pasted),
    )
    stack.init({"apiKey": KEY}, pasted)  # plain settings, as a key pasted in the wrong place would be
    printed = refused(stack, ["scopeName", "readers[0]", "writers[0]", "providers[0].secretKey"])
    assert "key material" in printed
    for value in keys.values():
        assert value not in printed


def test_a_secret_value_never_names_a_resource(engine_ready: None, tmp_path: Path) -> None:
    private = fake_keys(seed=5)["azure-openai"]  # a 32-hex key pasted as a secret provider name
    stack = vault_stack(
        tmp_path,
        {
            "providers": [{"name": "${providerName}", "apiKey": "${apiKey}", "envVarName": "${envVar}"}],
            "readers": ["data-science"],
        },
        secret_config=("providerName", "envVar"),
    )
    stack.init({"apiKey": KEY, "providerName": private, "envVar": "TEAM_PRIVATE_VARIABLE"})
    printed = refused(stack, ["providers[0].name", "providers[0].envVarName"])
    assert "arrived secret" in printed
    assert private not in printed and "TEAM_PRIVATE_VARIABLE" not in printed


def test_secret_principals_stay_out_of_urns_and_plain_outputs(engine_ready: None, tmp_path: Path) -> None:
    stack = vault_stack(
        tmp_path,
        {
            "scopePerProvider": True,
            "providers": [{"name": "openai", "apiKey": "${apiKey}", "readers": ["${reader}"]}],
            "readers": ["data-science"],
        },
        secret_config=("reader",),
    )
    stack.init({"apiKey": KEY, "reader": "svc-private-reader"})
    up = stack.up()
    printed = up.stdout + up.stderr
    assert "svc-private-reader" not in printed
    assert stack.outputs()["grants"] == "[secret]"
    resources = json.loads(stack.run("stack", "export").stdout)["deployment"]["resources"]
    assert not any("svc-private-reader" in r["urn"] for r in resources)
    for resource in resources:
        # Outputs and inputs are encrypted; a child's provider id is not (a Databricks
        # SecretAcl's id is 'scope|||principal'), as docs/production.md says.
        for part in ("outputs", "inputs"):
            assert "svc-private-reader" not in json.dumps(resource.get(part, {})), (resource["urn"], part)
    stack.destroy()
    assert is_empty(stack.workspace_dump())


@pytest.mark.parametrize("size", [MIB, 5 * MIB], ids=["1 MiB", "5 MiB"])
def test_huge_names_get_a_short_error_with_their_paths(engine_ready: None, tmp_path: Path, size: int) -> None:
    stack = vault_stack(
        tmp_path,
        {
            "scopeName": "s" * size,
            "providers": [{"name": "openai", "apiKey": "${apiKey}", "secretKey": "k" * size, "envVarName": "V" * size}],
        },
    )
    stack.init({"apiKey": KEY})
    printed = refused(stack, ["scopeName", "providers[0].secretKey", "providers[0].envVarName"])
    assert len(printed) < 20_000, f"{len(printed)} characters printed"
    assert "s" * 100 not in printed and "k" * 100 not in printed and "V" * 100 not in printed


def test_a_huge_catalog_and_expiry_out_of_range_get_their_paths(engine_ready: None, tmp_path: Path) -> None:
    stack = vault_stack(
        tmp_path,
        {
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "c" * 5 * MIB, "schema": "llm_keys"},
            "providers": [
                {"name": "openai", "apiKey": "${apiKey}", "expiresAt": "9999-12-31T23:59:59-01:00"},
                {"name": "anthropic", "apiKey": "${apiKey}", "expiresAt": "0001-01-01T00:00:00+01:00"},
            ],
        },
    )
    stack.init({"apiKey": KEY})
    printed = refused(stack, ["unityCatalog.catalog", "providers[0].expiresAt", "providers[1].expiresAt"])
    assert "outside the years 0001 to 9999" in printed
    assert len(printed) < 20_000 and "c" * 100 not in printed
