"""schema.yaml is the public API: the code must read every input it declares,
register every output it declares, and nothing else."""

import json
import re
from datetime import datetime, timedelta, timezone
from functools import partial
from importlib import util
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from conftest import FAKE_KEYS
from llmkeyvault_provider import LlmKeyVault
from llmkeyvault_provider.args import (
    KEY_VAULT_FIELDS,
    PROVIDER_KEY_FIELDS,
    UNITY_CATALOG_FIELDS,
    VAULT_FIELDS,
    Backend,
)
from llmkeyvault_provider.lookups import CURRENT_USER
from llmkeyvault_provider.outputs import GRANTS_ASKED, OUTPUT_ATTRIBUTES
from llmkeyvault_provider.plugins import PLUGIN_VERSIONS
from llmkeyvault_provider.schema import load_schema
from support.mocks import run_with_mocks

pytestmark = pytest.mark.component

ROOT = Path(__file__).resolve().parents[1]
with (ROOT / "schema.yaml").open(encoding="utf-8") as f:
    SCHEMA: dict[str, Any] = yaml.safe_load(f)
VAULT = SCHEMA["resources"]["llmkeyvault:index:LlmKeyVault"]
TYPES = SCHEMA["types"]


def test_the_provider_serves_the_root_schema_yaml() -> None:
    assert load_schema() == SCHEMA


def test_identity() -> None:
    assert SCHEMA["name"] == "llmkeyvault"
    assert set(SCHEMA["resources"]) == {"llmkeyvault:index:LlmKeyVault"}
    assert VAULT["isComponent"] is True
    assert set(TYPES) == {
        "llmkeyvault:index:ProviderKey",
        "llmkeyvault:index:KeyVaultBacking",
        "llmkeyvault:index:UnityCatalogBacking",
        "llmkeyvault:index:Grant",
        "llmkeyvault:index:Backend",
    }
    assert [e["value"] for e in TYPES["llmkeyvault:index:Backend"]["enum"]] == [b.value for b in Backend]
    assert set(SCHEMA["language"]) == {"python", "nodejs", "go", "csharp", "java"}
    assert SCHEMA["language"]["python"]["packageName"] == "pulumi_llmkeyvault"


def test_api_key_is_secret_and_nothing_else_is() -> None:
    vault = {"properties": {**VAULT["inputProperties"], **VAULT["properties"]}}
    secrets = [
        (type_name, prop)
        for type_name, spec in [*TYPES.items(), ("vault", vault)]
        for prop, prop_spec in spec.get("properties", {}).items()
        if prop_spec.get("secret")
    ]
    assert secrets == [("llmkeyvault:index:ProviderKey", "apiKey")]


def test_required_fields() -> None:
    assert VAULT["requiredInputs"] == ["providers"]
    # apiKey is required unless external: the provider checks that pair, the schema cannot
    assert TYPES["llmkeyvault:index:ProviderKey"]["required"] == ["name"]
    assert TYPES["llmkeyvault:index:KeyVaultBacking"]["required"] == ["resourceId"]
    assert TYPES["llmkeyvault:index:UnityCatalogBacking"]["required"] == ["catalog", "schema"]
    assert set(VAULT["required"]) == set(VAULT["properties"])


def test_every_property_has_a_description() -> None:
    specs = [VAULT["inputProperties"], VAULT["properties"]] + [t.get("properties", {}) for t in TYPES.values()]
    missing = [name for spec in specs for name, prop in spec.items() if not prop.get("description")]
    assert missing == []
    assert all(t.get("description") for t in TYPES.values())


def test_code_reads_exactly_the_schema_inputs() -> None:
    assert set(VAULT_FIELDS) == set(VAULT["inputProperties"])
    assert set(PROVIDER_KEY_FIELDS) == set(TYPES["llmkeyvault:index:ProviderKey"]["properties"])
    assert set(KEY_VAULT_FIELDS) == set(TYPES["llmkeyvault:index:KeyVaultBacking"]["properties"])
    assert set(UNITY_CATALOG_FIELDS) == set(TYPES["llmkeyvault:index:UnityCatalogBacking"]["properties"])


def test_code_registers_exactly_the_schema_outputs() -> None:
    assert set(OUTPUT_ATTRIBUTES) == set(VAULT["properties"])
    run = run_with_mocks(lambda: LlmKeyVault("llm", {**BASE, "readers": ["ds"]}))
    assert set(run.outputs) == set(VAULT["properties"])
    (registered,) = [o for urn, o in run.registered_outputs.items() if urn.endswith("LlmKeyVault::llm")]
    # the state also holds what the inputs asked to grant, for the policy pack (not an output)
    assert set(registered) == set(VAULT["properties"]) | {GRANTS_ASKED}
    grant_type = TYPES["llmkeyvault:index:Grant"]
    for inputs in ({**BASE, "readers": ["ds"]}, {**UC, "readers": ["ds"]}):
        run = run_with_mocks(partial(LlmKeyVault, "llm", inputs))
        for grant in run.outputs["grants"]:
            assert set(grant_type["required"]) <= set(grant) <= set(grant_type["properties"])


def test_schema_records_the_child_plugins() -> None:
    header = (ROOT / "schema.yaml").read_text(encoding="utf-8").split("\nname:", 1)[0]
    note = " ".join(line.lstrip("# ") for line in header.splitlines())
    recorded = dict(re.findall(r"\b(databricks|random|azure-native)\s+(\d+\.\d+\.\d+)", note))
    assert recorded == PLUGIN_VERSIONS


def test_one_pulumi_range_for_the_provider_and_the_sdks() -> None:
    import tomllib

    python_range = SCHEMA["language"]["python"]["requires"]["pulumi"]
    provider = tomllib.loads((ROOT / "provider" / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"pulumi{python_range}" in provider["project"]["dependencies"]
    minimum = python_range.split(",")[0].removeprefix(">=")
    assert SCHEMA["language"]["nodejs"]["dependencies"]["@pulumi/pulumi"] == f"^{minimum}"


def test_docs_name_the_current_version() -> None:
    """Install commands in the docs and the examples' READMEs (run as printed) carry the schema's version."""
    version = re.escape(SCHEMA["version"])
    pattern = re.compile(
        r"llmkeyvault (\d+\.\d+\.\d+)|-v(\d+\.\d+\.\d+)-linux|pulumi_llmkeyvault-(\d+\.\d+\.\d+)"
        r"|llmkeyvault-pulumi-(\d+\.\d+\.\d+)|llmkeyvault-(\d+\.\d+\.\d+)(?:-sources)?\.(?:jar|pom)"
    )
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").glob("*/README.md")]
    stale = [
        f"{page.relative_to(ROOT)}: {found}"
        for page in pages
        for match in pattern.finditer(page.read_text(encoding="utf-8"))
        for found in match.groups()
        if found is not None and not re.fullmatch(version, found)
    ]
    assert stale == []


def test_the_version_is_read_from_the_schema() -> None:
    from llmkeyvault_provider.version import __version__

    assert __version__ == SCHEMA["version"]


def test_child_plugin_versions_are_the_installed_typed_sdks() -> None:
    assert "dependencies" not in SCHEMA, "the SDKs must not depend on the children's packages"
    for package, version in PLUGIN_VERSIONS.items():
        spec = util.find_spec("pulumi_" + package.replace("-", "_"))
        assert spec is not None and spec.submodule_search_locations, package
        plugin = json.loads((Path(spec.submodule_search_locations[0]) / "pulumi-plugin.json").read_text())
        assert (plugin["name"], plugin["version"]) == (package, version)


RID = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/"
BASE: dict[str, Any] = {"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}]}
KV: dict[str, Any] = {**BASE, "backend": "azure-keyvault", "keyVault": {"resourceId": RID + "kv-one"}}
PER: dict[str, Any] = {**BASE, "scopePerProvider": True}
UC: dict[str, Any] = {**BASE, "backend": "unity-catalog", "unityCatalog": {"catalog": "main", "schema": "llm"}}
SOON = (datetime.now(timezone.utc) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
EXPIRING: dict[str, Any] = {**BASE, "providers": [{**BASE["providers"][0], "expiresAt": SOON}]}


def with_provider(base: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**base, "providers": [{**base["providers"][0], **fields}]}


#: the databricks provider's current user, so that ``deployerAcl`` makes a difference
DEPLOYER = {CURRENT_USER: lambda _: {"userName": "ci-deployer"}}

# For each schema input, two inputs that differ in that field alone.
VARIATIONS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "providers": (BASE, {**BASE, "providers": [*BASE["providers"], {"name": "groq", "apiKey": FAKE_KEYS["my-llm"]}]}),
    "providers[].name": (BASE, with_provider(BASE, name="my-llm")),
    "providers[].apiKey": (BASE, with_provider(BASE, apiKey=FAKE_KEYS["cohere"])),
    "providers[].secretKey": (BASE, with_provider(BASE, secretKey="openai")),
    "providers[].envVarName": (BASE, with_provider(BASE, envVarName="OPENAI_KEY")),
    "providers[].readers": (PER, with_provider(PER, readers=["bot"])),
    "scopeName": (BASE, {**BASE, "scopeName": "keys"}),
    "scopePerProvider": (BASE, PER),
    "uniqueSuffix": (BASE, {**BASE, "uniqueSuffix": True}),
    "readers": (BASE, {**BASE, "readers": ["ds"]}),
    "writers": (BASE, {**BASE, "writers": ["ds"]}),
    "managers": (BASE, {**BASE, "managers": ["ds"]}),
    "allowWorkspaceUsers": (
        {**BASE, "readers": ["users"]},
        {**BASE, "readers": ["users"], "allowWorkspaceUsers": True},
    ),
    "backend": ({**KV, "backend": "databricks", "keyVault": None}, {**KV, "keyVault": None}),
    "keyVault": (KV, {**KV, "keyVault": {"resourceId": RID + "kv-two"}}),
    "keyVault.resourceId": (KV, {**KV, "keyVault": {"resourceId": RID + "kv-two"}}),
    "keyVault.dnsName": (KV, {**KV, "keyVault": {**KV["keyVault"], "dnsName": "https://kv-one.vault.azure.cn/"}}),
    "providers[].expiresAt": (BASE, EXPIRING),
    "providers[].external": (
        BASE,
        {**BASE, "providers": [{k: v for k, v in BASE["providers"][0].items() if k != "apiKey"} | {"external": True}]},
    ),
    "deployerAcl": (BASE, {**BASE, "deployerAcl": False}),
    "unityCatalog": (UC, {**UC, "unityCatalog": {"catalog": "main", "schema": "keys"}}),
    "unityCatalog.catalog": (UC, {**UC, "unityCatalog": {"catalog": "prod", "schema": "llm"}}),
    "unityCatalog.schema": (UC, {**UC, "unityCatalog": {"catalog": "main", "schema": "keys"}}),
    "unityCatalog.createSchema": (UC, {**UC, "unityCatalog": {**UC["unityCatalog"], "createSchema": True}}),
    "unityCatalog.grantUsage": (
        {**UC, "readers": ["ds"]},
        {**UC, "readers": ["ds"], "unityCatalog": {**UC["unityCatalog"], "grantUsage": False}},
    ),
    "referencers": (UC, {**UC, "referencers": ["serving-sp"]}),
    "rotationWarningDays": (EXPIRING, {**EXPIRING, "rotationWarningDays": 5}),
    "adopt": (BASE, {**BASE, "adopt": True}),
    "workspaceUsersAcl": (
        {**BASE, "managers": ["users"], "allowWorkspaceUsers": True},
        {**BASE, "managers": ["users"], "allowWorkspaceUsers": True, "workspaceUsersAcl": True},
    ),
}


def schema_input_paths() -> set[str]:
    paths = set(VAULT["inputProperties"])
    paths |= {f"providers[].{p}" for p in TYPES["llmkeyvault:index:ProviderKey"]["properties"]}
    paths |= {f"keyVault.{p}" for p in TYPES["llmkeyvault:index:KeyVaultBacking"]["properties"]}
    paths |= {f"unityCatalog.{p}" for p in TYPES["llmkeyvault:index:UnityCatalogBacking"]["properties"]}
    return paths


def outcome(inputs: dict[str, Any]) -> str:
    """What the component does with ``inputs``: children, their options, outputs and warnings."""
    with mock.patch("pulumi.log.warn") as warn:
        try:
            run = run_with_mocks(lambda: LlmKeyVault("llm", inputs), answers=DEPLOYER)
        except ValueError as e:
            return f"refused: {e}"
    registered = sorted((r.type, r.name, json.dumps(r.inputs, sort_keys=True), r.import_id) for r in run.registrations)
    warnings = [str(call.args[0]) for call in warn.call_args_list]
    return json.dumps([registered, run.outputs, warnings], sort_keys=True)


def test_variations_cover_every_schema_input() -> None:
    assert set(VARIATIONS) == schema_input_paths()


@pytest.mark.parametrize("path", sorted(VARIATIONS))
def test_every_schema_input_is_consumed(path: str) -> None:
    before, after = VARIATIONS[path]
    assert outcome(before) != outcome(after), f"{path} changes nothing"
