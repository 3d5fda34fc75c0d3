"""The llmkeyvault-guardrails policy pack run by the real engine, `pulumi preview
--policy-pack policy`, against the workspace emulator: a raw pulumi-databricks
program is stopped with every expected violation and no key value in the
output; every example passes with none; policy configuration changes the outcome."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import assert_no_key_in, make
from test_examples import EXAMPLES as EXAMPLE_SETUP

from devtools.local_stack import ROOT, LocalStack, Result
from devtools.policy_demo import vault_program
from devtools.programs import driver_for

VERSION = yaml.safe_load((ROOT / "schema.yaml").read_text(encoding="utf-8"))["version"]

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

POLICY_PACK = ROOT / "policy"
RAW = ROOT / "tests" / "e2e" / "raw-databricks"
PASTED_KEY = "sk-test-pasted-openai-9999999999999999"
# Vault examples; the consumers (they read a vault through a StackReference) are deployed with
# one by their own tests (tests/test_e2e_serving.py), which preview them with the pack too.
EXAMPLES = sorted(
    p.name
    for p in (ROOT / "examples").iterdir()
    if (p / "Pulumi.yaml").exists() and "StackReference" not in (p / "Pulumi.yaml").read_text(encoding="utf-8")
)
assert set(EXAMPLES) == set(EXAMPLE_SETUP), "every example has its stack settings in test_examples.py"

#: (level, policy, resource) the engine must print for the raw program
RAW_VIOLATIONS = {
    ("mandatory", "no-workspace-users-manage-scope", "llmScope"),
    ("mandatory", "secret-delete-before-replace", "openaiKey"),
    ("advisory", "llm-key-outside-llmkeyvault", "openaiKey"),
    ("advisory", "workspace-wide-secret-read", "everyoneReads"),
}
VIOLATION_LINE = re.compile(r"- \[(mandatory|advisory)\]\s+(\S+)\s+\(\S+: ([^)]+)\)")


def violations(result: Result) -> set[tuple[str, str, str]]:
    found = VIOLATION_LINE.findall(result.stdout + result.stderr)
    return {(level, policy, resource) for level, policy, resource in found}


@pytest.fixture(scope="module")
def pack_ready(engine_ready: None) -> None:
    make("policy-venv")


def raw_stack(root: Path) -> LocalStack:
    stack = LocalStack(RAW, root, built_plugin=False)
    stack.init({})
    return stack


def test_the_raw_program_is_stopped(pack_ready: None, tmp_path: Path) -> None:
    stack = raw_stack(tmp_path)
    plain = stack.preview()
    result = stack.preview("--policy-pack", str(POLICY_PACK), check=False)
    assert result.returncode != 0
    assert violations(result) == RAW_VIOLATIONS
    output = result.stdout + result.stderr
    assert f"llmkeyvault-guardrails@v{VERSION}" in output
    assert "issue 642" in output and "deleteBeforeReplace: true" in output
    printed = stack.everything_printed()
    assert PASTED_KEY not in printed
    assert_no_key_in(printed)
    print(f"preview {plain.seconds:.1f} s without the pack, {result.seconds:.1f} s with it")


def test_enforcement_levels_follow_policy_configuration(pack_ready: None, tmp_path: Path) -> None:
    stack = raw_stack(tmp_path / "stack")
    # Both mandatory violations made advisory: the same program now previews.
    relaxed = tmp_path / "relaxed.json"
    relaxed.write_text(
        json.dumps({"no-workspace-users-manage-scope": "advisory", "secret-delete-before-replace": "advisory"})
    )
    result = stack.preview("--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(relaxed), check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert {level for level, _, _ in violations(result)} == {"advisory"}
    assert {policy for _, policy, _ in violations(result)} == {p for _, p, _ in RAW_VIOLATIONS}

    # A stricter team: keys outside LlmKeyVault are mandatory, everything else off.
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"all": "disabled", "llm-key-outside-llmkeyvault": "mandatory"}))
    result = stack.preview("--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(strict), check=False)
    assert result.returncode != 0
    assert violations(result) == {("mandatory", "llm-key-outside-llmkeyvault", "openaiKey")}
    assert_no_key_in(stack.everything_printed())
    assert PASTED_KEY not in stack.everything_printed()


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_passes_with_no_violation(pack_ready: None, tmp_path: Path, example: str) -> None:
    source = ROOT / "examples" / example
    stack = LocalStack(source, tmp_path, driver=driver_for(source))
    setup = EXAMPLE_SETUP[example]
    setup.prepare(stack)
    stack.init(setup.secrets, setup.config)
    result = stack.preview("--policy-pack", str(POLICY_PACK), check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert violations(result) == set()
    assert f"llmkeyvault-guardrails@v{VERSION}" in result.stdout + result.stderr, "the pack ran"
    printed = stack.everything_printed()
    assert_no_key_in(printed)
    for key in setup.secrets.values():
        assert key not in printed


def preview_program(
    tmp_path: Path, program: str, secrets: dict[str, str], files: dict[str, str] | None = None
) -> tuple[LocalStack, Result]:
    """Preview ``program`` (a Pulumi.yaml) with the pack; ``files`` beside it (a Python program)."""
    source = tmp_path / "source"
    source.mkdir(parents=True)
    (source / "Pulumi.yaml").write_text(program)
    for name, text in (files or {}).items():
        (source / name).write_text(text)
    stack = LocalStack(source, tmp_path / "stack", driver=driver_for(source))
    stack.init(secrets)
    return stack, stack.preview("--policy-pack", str(POLICY_PACK), check=False)


WORKSPACE_USERS_PROGRAM = vault_program("llm-keys-users", {"managers": ["users"], "allowWorkspaceUsers": True})


def test_workspace_users_through_the_component_are_advisory(pack_ready: None, tmp_path: Path) -> None:
    """The component's scope, and its own ACL for `users`, then carry `users` MANAGE: each
    reported as advisory by llmkeyvault-workspace-users, and the preview goes through."""
    stack, result = preview_program(tmp_path, WORKSPACE_USERS_PROGRAM, {"openaiApiKey": "sk-test-users-openai-0000"})
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert violations(result) == {
        ("advisory", "llmkeyvault-workspace-users", "llmKeys-scope"),
        ("advisory", "llmkeyvault-workspace-users", "llmKeys-acl-users"),
    }
    assert "sk-test-users-openai-0000" not in stack.everything_printed()


def under_the_vault(resource_type: str, properties: dict[str, Any]) -> dict[str, Any]:
    """A raw resource that a program places under ``llmKeys``."""
    return {"type": resource_type, "properties": properties, "options": {"parent": "${llmKeys}"}}


def acl(scope: str, principal: str, permission: str) -> dict[str, Any]:
    return under_the_vault("databricks:SecretAcl", {"scope": scope, "principal": principal, "permission": permission})


def secret_grants(secret: str, principal: str, *privileges: str) -> dict[str, Any]:
    grants = [{"principal": principal, "privileges": list(privileges)}]
    return under_the_vault("databricks:Grants", {"secret": secret, "grants": grants})


SIDESTEP_PROGRAM = vault_program(
    "llm-keys-sidestep",
    {"readers": ["data-science"]},
    {
        "sideAcl": acl("${llmKeys.scopes[0]}", "users", "MANAGE"),
        "sideScope": under_the_vault(
            "databricks:SecretScope", {"name": "side-scope", "initialManagePrincipal": "users"}
        ),
        "sideGrants": secret_grants("main.llm.openai-api-key", "account users", "MANAGE"),
        "sideSpelling": acl("${llmKeys.scopes[0]}", "Users", "manage"),
    },
)


def test_raw_resources_parented_under_a_real_component_are_judged_as_raw(pack_ready: None, tmp_path: Path) -> None:
    """The component made none of them: its parentage exempts nothing."""
    key = "sk-test-sidestep-openai-0000"
    stack, result = preview_program(tmp_path, SIDESTEP_PROGRAM, {"openaiApiKey": key})
    assert result.returncode != 0
    assert violations(result) == {
        ("mandatory", "no-workspace-wide-secret-write", "sideAcl"),
        ("mandatory", "no-workspace-users-manage-scope", "sideScope"),
        ("mandatory", "no-workspace-wide-secret-write", "sideGrants"),
        ("mandatory", "no-workspace-wide-secret-write", "sideSpelling"),
    }
    assert key not in stack.everything_printed()


KEY_VAULT_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm"
)
#: per backend: a component with a unique suffix whose inputs grant a group of every user,
#: the children that carry that grant, and a raw grant placed under it that it was not
#: asked for, on one of its scopes or secrets (not known in a first preview either)
UNIQUE_SUFFIX_CASES: dict[str, tuple[dict[str, Any], tuple[str, ...], dict[str, Any]]] = {
    "databricks": (
        {"managers": ["users"]},
        ("llmKeys-scope", "llmKeys-acl-users"),
        acl("${llmKeys.scopes[0]}", "users", "WRITE"),
    ),
    "azure-keyvault": (
        {"backend": "azure-keyvault", "keyVault": {"resourceId": KEY_VAULT_ID}, "readers": ["users"]},
        ("llmKeys-acl-users",),
        acl("${llmKeys.scopes[0]}", "users", "MANAGE"),
    ),
    "unity-catalog": (
        {
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "main", "schema": "llm", "createSchema": True},
            "readers": ["account users"],
        },
        ("llmKeys-grants/openai_api_key_<suffix>",),
        secret_grants("${llmKeys.secretFullNames.openai}", "account users", "MANAGE"),
    ),
}


@pytest.mark.parametrize("backend", sorted(UNIQUE_SUFFIX_CASES))
def test_a_unique_suffix_component_passes_its_first_preview(pack_ready: None, tmp_path: Path, backend: str) -> None:
    """Before the suffix exists the component's names, and so its outputs, are not known: its
    own grant to every user is matched on what its inputs asked for (principal, permission,
    the child's type), so the first preview passes with the advisory alone, while a raw grant
    under it that the inputs did not ask for is still stopped."""
    vault, carriers, raw = UNIQUE_SUFFIX_CASES[backend]
    properties = {**vault, "uniqueSuffix": True, "allowWorkspaceUsers": True}
    key = "sk-test-suffix-openai-0000"
    own = {("advisory", "llmkeyvault-workspace-users", child) for child in carriers}
    side = ("mandatory", "no-workspace-wide-secret-write", "sideGrant")
    for case, extra, expected in (("alone", {}, own), ("side", {"sideGrant": raw}, {*own, side})):
        program = vault_program(f"llm-keys-suffix-{backend}", properties, extra)
        stack, result = preview_program(tmp_path / case, program, {"openaiApiKey": key})
        assert (result.returncode == 0) == (side not in expected), (result.stdout + result.stderr)[-4000:]
        assert violations(result) == expected, case
        assert key not in stack.everything_printed()


#: a program's own component that claims LlmKeyVault's type and copies the shape of its
#: outputs, with a child scope every user manages (``Impostor("llmKeys")``)
IMPOSTOR = """\
class Impostor(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("llmkeyvault:index:LlmKeyVault", name, {}, None)
        child = pulumi.ResourceOptions(parent=self)
        pulumi.CustomResource(
            "databricks:index/secretScope:SecretScope",
            f"{name}-scope",
            {"name": "impostor", "initialManagePrincipal": "users"},
            child,
        )
        pulumi.CustomResource(
            "databricks:index/secretAcl:SecretAcl",
            f"{name}-acl-users",
            {"scope": "impostor", "principal": "users", "permission": "WRITE"},
            child,
        )
        grants = [
            {"scope": "impostor", "principal": "users", "permission": "MANAGE"},
            {"scope": "impostor", "principal": "users", "permission": "WRITE"},
        ]
        self.register_outputs(
            {
                "scopeNames": {}, "scopes": ["impostor"], "secretKeys": {}, "secretReferences": {},
                "environmentVariables": {}, "grants": grants, "backend": "databricks",
                "secretFullNames": {}, "expirations": {}, "externalModels": {}, "externalKeys": [],
            }
        )


Impostor("llmKeys")
"""

FAKE_COMPONENT = (
    '''\
"""A program's own component that claims LlmKeyVault's type and copies the shape of
its outputs, with a child scope every user manages."""

import pulumi


'''
    + IMPOSTOR
)


def test_a_program_component_claiming_the_type_exempts_nothing(pack_ready: None, tmp_path: Path) -> None:
    """No llmkeyvault provider constructed it, so its children are judged as raw resources."""
    program = "name: llm-keys-impostor\nruntime:\n  name: python\n"
    _, result = preview_program(tmp_path, program, {}, {"__main__.py": FAKE_COMPONENT})
    assert result.returncode != 0, (result.stdout + result.stderr)[-3000:]
    assert violations(result) == {
        ("mandatory", "no-workspace-users-manage-scope", "llmKeys-scope"),
        ("mandatory", "no-workspace-wide-secret-write", "llmKeys-acl-users"),
    }


#: every account user holding ALL_PRIVILEGES on the schema main.llm (inherited by its secrets)
SCHEMA_GRANT_TO_ACCOUNT_USERS = """\
  schemaGrants:
    type: databricks:Grants
    properties:
      schema: main.llm
      grants:
        - {principal: account users, privileges: [ALL_PRIVILEGES]}
"""

HOLDINGS_PROGRAM = (
    """\
name: llm-keys-holdings
runtime: yaml
config:
  openaiApiKey: {type: string, secret: true}
  adminPrincipal: {type: string, secret: true}
resources:
  ucKeys:
    type: llmkeyvault:LlmKeyVault
    properties:
      providers:
        - {name: openai, apiKey: "${openaiApiKey}", expiresAt: "2020-01-01T00:00:00Z"}
      backend: unity-catalog
      unityCatalog: {catalog: main, schema: llm, createSchema: true}
"""
    + SCHEMA_GRANT_TO_ACCOUNT_USERS
    + """\
  catalogGrant:
    type: databricks:Grant
    properties: {catalog: main, principal: Account Users, privileges: [read secret]}
  schemaManage:
    type: databricks:Grant
    properties: {schema: main.llm, principal: account users, privileges: [MANAGE]}
  otherCatalog:
    type: databricks:Grant
    properties: {catalog: sales, principal: account users, privileges: [ALL_PRIVILEGES]}
  secretGrant:
    type: databricks:Grants
    properties:
      secret: main.llm.openai-api-key
      grants:
        - {principal: "${adminPrincipal}", privileges: [all privileges]}
  endpoint:
    type: databricks:ModelServing
    properties:
      name: chat
      config:
        servedEntities:
          - name: app
            entityName: main.default.app
            entityVersion: "1"
            environmentVars: {OPENAI_API_KEY: sk-test-literal-openai-1111111111111111, LOG_LEVEL: info}
          - name: external
            externalModel:
              name: gpt-4o
              provider: openai
              task: llm/v1/chat
              openaiConfig: {openaiApiKeyPlaintext: sk-test-plaintext-openai-2222222222222222}
          - name: bedrock
            externalModel:
              name: claude
              provider: amazon-bedrock
              task: llm/v1/chat
              amazonBedrockConfig:
                awsRegion: eu-west-1
                bedrockProvider: anthropic
                awsAccessKeyIdPlaintext: AKIA-test-not-a-key
                awsSecretAccessKeyPlaintext: test-secret-access-key-6666666666666666
        servedModels:
          - modelName: legacy
            modelVersion: "1"
            workloadSize: Small
            scaleToZeroEnabled: true
            environmentVars: {ANTHROPIC_API_KEY: sk-test-literal-anthropic-3333333333333333}
  gateway:
    type: databricks:AiGatewayModelProviderService
    properties:
      parent: schemas/main.default
      modelProviderServiceId: anthropic
      config:
        providerType: EXTERNAL_MODEL_PROVIDER_TYPE_ANTHROPIC
        anthropic:
          direct:
            apiKey: {plaintext: sk-test-gateway-anthropic-4444444444444444}
  customGateway:
    type: databricks:AiGatewayModelProviderService
    properties:
      parent: schemas/main.default
      modelProviderServiceId: custom
      config:
        providerType: EXTERNAL_MODEL_PROVIDER_TYPE_CUSTOM
        custom:
          direct:
            baseUrl: https://llm.example.com/v1
            headerAuth:
              apiKeyName: x-api-key
              apiKeyValue: {plaintext: test-header-key-7777777777777777}
"""
)


def test_grants_on_containers_serving_credentials_and_the_components_expired_key(
    pack_ready: None, tmp_path: Path
) -> None:
    """Catalog and schema grants that every LLM secret inherits, literal keys in serving
    configuration under every shape, privilege spellings Databricks normalises, a
    principal from a secret config value never printed, and the component's own
    expired UC key judged by no mandatory policy (the component warns)."""
    principal = "sp-secret-admin-principal-5d1e"
    secrets = {"openaiApiKey": "sk-test-holdings-openai-0000", "adminPrincipal": principal}
    stack, result = preview_program(tmp_path, HOLDINGS_PROGRAM, secrets)
    assert result.returncode != 0
    containers = ("schemaGrants", "catalogGrant", "schemaManage")
    serving = ("endpoint", "gateway", "customGateway")
    assert violations(result) == {
        *(("mandatory", "no-workspace-wide-secret-container-grant", name) for name in containers),
        *(("mandatory", "no-plaintext-model-credentials", name) for name in serving),
        ("advisory", "uc-secret-all-privileges", "secretGrant"),
    }
    output = result.stdout + result.stderr
    for path in (
        "config.servedEntities[0].environmentVars.OPENAI_API_KEY",
        "config.servedEntities[1].externalModel.openaiConfig.openaiApiKeyPlaintext",
        "config.servedModels[0].environmentVars.ANTHROPIC_API_KEY",
        "config.anthropic.direct.apiKey.plaintext",
        "config.servedEntities[2].externalModel.amazonBedrockConfig.awsAccessKeyIdPlaintext",
        "config.servedEntities[2].externalModel.amazonBedrockConfig.awsSecretAccessKeyPlaintext",
        "config.custom.direct.headerAuth.apiKeyValue.plaintext",
    ):
        assert path in output, path
    assert "LOG_LEVEL" not in output.split("Policies:")[-1]
    printed = stack.everything_printed()
    assert principal not in printed
    for value in secrets.values():
        assert value not in printed
    assert "1111111111111111" not in output.split("Policies:")[-1], "a violation never shows a value"
