"""Keys kept outside Pulumi and a deployer that never locks itself out, through the real engine
and the workspace emulator.

For each backend a vault with two external providers and one managed one is deployed by a
platform service principal; the security team writes the external values with the emulator's
stand-ins for `databricks secrets put-secret`, `az keyvault secret set` and `databricks
secrets-uc create-secret`; a consumer stack that holds READ uses every reference; a rotation
outside Pulumi leaves `pulumi preview` with nothing to do. An all-external vault holds no key
material anywhere the engine writes; a missing external UC secret is refused in preview; a
non-admin deployer keeps MANAGE through the adoption migration and destroys what it made.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from devtools.local_stack import EMULATOR_CLI, ROOT, LocalStack, yaml_vault_project
from devtools.workspace import digest, is_empty

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PLATFORM = "platform-sp-0000"  # deploys the vault; a service principal, not a workspace admin
SECURITY = "security-team@example.com"  # writes and rotates the external keys
SERVING = "serving-app-sp-1111"  # the consumer's service principal, a reader
MANAGED = "sk-test-external-cohere-0000000"
OPENAI = "sk-test-external-openai-0000000"
ANTHROPIC = "sk-test-external-anthropic-00000"
OPENAI_ROTATED = "sk-test-external-openai-1111111"
RID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm"
)
PROJECT = "llm-keys-ext"
OUTPUTS = ("secretReferences", "environmentVariables", "externalModels", "secretFullNames", "externalKeys", "grants")


@pytest.fixture(scope="module")
def emulated_engine() -> None:
    """The toolchain, the built plugin and the emulator: all these tests use (YAML programs only)."""
    subprocess.run(["make", "--no-print-directory", "tools", "build", "emulator"], check=True)


def providers(managed: bool = True) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = [{"name": "openai", "external": True}, {"name": "anthropic", "external": True}]
    return listed + ([{"name": "cohere", "apiKey": "${apiKey}"}] if managed else [])


def backend_properties(backend: str) -> dict[str, Any]:
    if backend == "databricks":
        return {"scopeName": "llm-keys", "writers": [SECURITY], "readers": [SERVING]}
    if backend == "azure-keyvault":
        return {
            "scopeName": "llm-keys",
            "backend": "azure-keyvault",
            "keyVault": {"resourceId": RID},
            "readers": [SERVING],
        }
    return {"backend": "unity-catalog", "unityCatalog": {"catalog": "main", "schema": "llm"}, "readers": [SERVING]}


def cli(
    stack: LocalStack, *args: str, stdin: str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """The emulator's CLI on the stack's workspace: what people do outside Pulumi."""
    done = subprocess.run(
        [str(EMULATOR_CLI), args[0], "--dir", str(stack.workspace), *args[1:]],
        input=stdin,
        capture_output=True,
        text=True,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"{args[0]} failed: {done.stderr}")
    return done


def write_external(stack: LocalStack, backend: str, key: str, value: str, *, rotate: bool = False) -> None:
    """The security team writes (or rotates) one external key, value on standard input only."""
    if backend == "databricks":
        cli(stack, "put-secret", "--scope", "llm-keys", "--key", f"{key}-api-key", "--caller", SECURITY,
            "--digest-of-stdin", stdin=value)  # fmt: skip
    elif backend == "azure-keyvault":
        cli(stack, "put-vault-secret", "--vault-id", RID, "--name", f"{key}-api-key", "--digest-of-stdin", stdin=value)
    elif rotate:
        cli(stack, "update-uc-secret", "--name", f"main.llm.{key}_api_key", "--caller", SECURITY,
            "--digest-of-stdin", stdin=value)  # fmt: skip
    else:
        cli(stack, "put-uc-secret", "--name", f"main.llm.{key}_api_key", "--owner", SECURITY,
            "--digest-of-stdin", stdin=value)  # fmt: skip


def stored_digest(dump: dict[str, Any], backend: str, key: str) -> str:
    if backend == "databricks":
        return str(dump["secrets"]["llm-keys"][f"{key}-api-key"]["valueSha256"])
    if backend == "azure-keyvault":
        return str(dump["vaults"]["rg-llm/kv-llm"]["secrets"][f"{key}-api-key"]["valueSha256"])
    return str(dump["ucSecrets"][f"main.llm.{key}_api_key"]["valueSha256"])


def seed_unity_catalog(stack: LocalStack) -> None:
    """The platform team's schema; the security team may create secrets in it; the consumer's own schema."""
    stack.seed("main.llm", owner=PLATFORM)
    stack.seed("main.apps", owner=SERVING)
    for securable, name, privilege in (("catalog", "main", "USE_CATALOG"), ("schema", "main.llm", "USE_SCHEMA")):
        cli(stack, "put-grant", "--securable", securable, "--name", name, "--principal", SECURITY,
            "--privilege", privilege, *(("--privilege", "CREATE_SECRET") if securable == "schema" else ()),
            "--caller", PLATFORM)  # fmt: skip


def consumer_of(backend: str, tmp_path: Path, shared: Path) -> LocalStack:
    example = "serving-uc-yaml" if backend == "unity-catalog" else "serving-yaml"
    consumer = LocalStack(ROOT / "examples" / example, tmp_path / "consumer", shared=shared)
    config = {"databricks:clientId": SERVING, "vaultStack": f"organization/{PROJECT}/dev"}
    if backend == "unity-catalog":
        config["schema"] = "main.apps"
    consumer.init({}, config)
    return consumer


@pytest.mark.parametrize("backend", ["databricks", "azure-keyvault", "unity-catalog"])
def test_two_external_and_one_managed_are_used_by_a_reader_and_rotated_outside_pulumi(
    emulated_engine: None, tmp_path: Path, backend: str
) -> None:
    shared = tmp_path / "shared"
    source = yaml_vault_project(
        tmp_path / "source", PROJECT, {"providers": providers(), **backend_properties(backend)}, outputs=OUTPUTS
    )
    vault = LocalStack(source, tmp_path / "vault", shared=shared)
    config = {"databricks:clientId": PLATFORM}
    if backend == "unity-catalog":
        seed_unity_catalog(vault)
        for key, value in (("openai", OPENAI), ("anthropic", ANTHROPIC)):
            write_external(vault, backend, key, value)  # must exist before the vault is planned
    vault.init({"apiKey": MANAGED}, config)
    vault.up()
    if backend != "unity-catalog":
        for key, value in (("openai", OPENAI), ("anthropic", ANTHROPIC)):
            write_external(vault, backend, key, value)  # into the place the vault made

    outputs = vault.outputs()
    assert outputs["externalKeys"] == ["anthropic", "openai"]
    dump = vault.workspace_dump()
    assert stored_digest(dump, backend, "cohere") == digest(MANAGED)
    assert stored_digest(dump, backend, "openai") == digest(OPENAI)
    assert stored_digest(dump, backend, "anthropic") == digest(ANTHROPIC)
    if backend == "unity-catalog":
        assert dump["ucSecrets"]["main.llm.openai_api_key"]["owner"] == SECURITY  # never created by the stack
        assert dump["ucGrants"]["secret"]["main.llm.openai_api_key"][SERVING] == ["READ_SECRET"]
    else:
        assert dump["acls"]["llm-keys"][PLATFORM] == "MANAGE"
        assert {"scope": "llm-keys", "principal": PLATFORM, "permission": "MANAGE"} in outputs["grants"]
    vault.preview("--expect-no-changes")

    # A consumer that holds READ uses the references: every one must resolve to a stored key.
    consumer = consumer_of(backend, tmp_path, shared)
    consumer.up()
    dump = consumer.workspace_dump()
    if backend == "unity-catalog":
        assert dump["modelProviderServices"]["main.apps.openai"]["secretReferences"] == [
            "secrets/main.llm.openai_api_key"
        ]
    else:
        refs = set(dump["servingEndpoints"]["llm-chat"]["secretReferences"])
        assert refs == {"{{secrets/llm-keys/openai-api-key}}", "{{secrets/llm-keys/anthropic-api-key}}",
                        "{{secrets/llm-keys/cohere-api-key}}"}  # fmt: skip

    # Rotation of an external key is a write outside Pulumi: neither stack has anything to do.
    write_external(vault, backend, "openai", OPENAI_ROTATED, rotate=True)
    assert stored_digest(vault.workspace_dump(), backend, "openai") == digest(OPENAI_ROTATED)
    vault.preview("--expect-no-changes")
    consumer.preview("--expect-no-changes")

    consumer.destroy()
    vault.destroy()
    texts = [vault.state_files(), vault.everything_printed(), consumer.everything_printed()]
    for text in texts:
        for value in (OPENAI, ANTHROPIC, OPENAI_ROTATED):
            assert value not in text and digest(value) not in text


@pytest.mark.parametrize("backend", ["databricks", "azure-keyvault", "unity-catalog"])
def test_an_all_external_vault_holds_no_key_material(emulated_engine: None, tmp_path: Path, backend: str) -> None:
    source = yaml_vault_project(
        tmp_path / "source", PROJECT, {"providers": providers(managed=False), **backend_properties(backend)},
        secret_config=(), outputs=OUTPUTS,
    )  # fmt: skip
    stack = LocalStack(source, tmp_path / "vault")
    config = {"databricks:clientId": PLATFORM}
    if backend == "unity-catalog":
        seed_unity_catalog(stack)
        for key, value in (("openai", OPENAI), ("anthropic", ANTHROPIC)):
            write_external(stack, backend, key, value)
    stack.init({}, config)
    verbose = stack.up("-v=9", "--logtostderr")
    if backend != "unity-catalog":
        for key, value in (("openai", OPENAI), ("anthropic", ANTHROPIC)):
            write_external(stack, backend, key, value)
    refreshed = stack.run("refresh", "--yes", "-v=9", "--logtostderr")
    shown = stack.run("stack", "export", "--show-secrets").stdout
    # Nothing in the stack is secret at all: no ciphertext for a consumer to decrypt either.
    assert '"ciphertext"' not in stack.export()
    for text in (shown, stack.state_files(), verbose.stdout + verbose.stderr, refreshed.stdout + refreshed.stderr):
        for value in (OPENAI, ANTHROPIC):
            assert value not in text and digest(value) not in text
    stack.destroy()


def test_a_missing_external_unity_catalog_secret_is_refused_in_preview(emulated_engine: None, tmp_path: Path) -> None:
    source = yaml_vault_project(
        tmp_path / "source", PROJECT, {"providers": providers(managed=False), **backend_properties("unity-catalog")},
        secret_config=(),
    )  # fmt: skip
    stack = LocalStack(source, tmp_path / "vault")
    seed_unity_catalog(stack)
    write_external(stack, "unity-catalog", "anthropic", ANTHROPIC)  # openai's is never written
    stack.init({}, {"databricks:clientId": PLATFORM})
    before = stack.workspace_dump()
    failed = stack.preview(check=False)
    printed = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "providers[0].external" in printed
    assert "Unity Catalog secret 'main.llm.openai_api_key' does not exist" in printed
    assert "databricks secrets-uc create-secret --json @secret.json (secret.json: " in printed
    assert "openai_api_key" in printed.split("create-secret", 1)[1]
    assert "anthropic_api_key' does not exist" not in printed
    failed = stack.up(check=False)
    assert failed.returncode != 0
    after = stack.workspace_dump()
    assert after["ucSecrets"] == before["ucSecrets"] and after.get("ucGrants") == before.get("ucGrants")


def adoption_program(stack: LocalStack, **properties: Any) -> None:
    project = stack.definition()
    vault = {
        "scopeName": "llm-keys",
        "providers": [{"name": "openai", "apiKey": "${apiKey}"}],
        "readers": ["data-science"],
        **properties,
    }
    project["resources"] = {"llmKeys": {"type": "llmkeyvault:LlmKeyVault", "properties": vault}}
    stack.redefine(project)


@pytest.mark.parametrize("deployer_acl", [True, False])
def test_the_adoption_migration_and_a_rotation_as_a_non_admin_deployer(
    emulated_engine: None, tmp_path: Path, deployer_acl: bool
) -> None:
    """docs/adoption.md's adoption, then step 4 (users lose MANAGE), then a rotation, as a service
    principal that is no workspace admin. Without the deployer's own ACL the rotation is refused."""
    source = yaml_vault_project(tmp_path / "source", "llm-keys-adoption", {"providers": []})
    stack = LocalStack(source, tmp_path / "vault")
    # Made outside Pulumi by someone else: MANAGE for every user, one key, data-science reading.
    cli(
        stack,
        "put-scope",
        "--scope",
        "llm-keys",
        "--initial-manage-principal",
        "users",
        "--creator",
        "someone@example.com",
    )
    cli(stack, "put-secret", "--scope", "llm-keys", "--key", "openai-api-key", "--digest-of-stdin", stdin=OPENAI)
    cli(stack, "put-acl", "--scope", "llm-keys", "--principal", "data-science", "--permission", "READ")
    stack.init({"apiKey": OPENAI}, {"databricks:clientId": PLATFORM})
    users = {"managers": ["users"], "allowWorkspaceUsers": True, "workspaceUsersAcl": True}
    adoption_program(stack, adopt=True, deployerAcl=deployer_acl, **users)
    stack.up()
    adoption_program(stack, deployerAcl=deployer_acl, **users)  # step 3: adopt off
    stack.preview("--expect-no-changes")
    stack.up()
    adoption_program(stack, deployerAcl=deployer_acl)  # step 4: users lose MANAGE
    stack.up()
    acls = stack.workspace_dump()["acls"]["llm-keys"]
    assert "users" not in acls and acls["data-science"] == "READ"

    stack.set_secret("apiKey", OPENAI_ROTATED)
    rotated = stack.up(check=False)
    if deployer_acl:
        assert rotated.returncode == 0, rotated.stdout + rotated.stderr
        assert acls[PLATFORM] == "MANAGE"
        assert stack.workspace_dump()["secrets"]["llm-keys"]["openai-api-key"]["valueSha256"] == digest(OPENAI_ROTATED)
        stack.destroy()
        assert is_empty(stack.workspace_dump())
    else:
        printed = rotated.stdout + rotated.stderr
        assert rotated.returncode != 0 and PLATFORM not in acls
        assert f"PERMISSION_DENIED: User {PLATFORM} does not have WRITE permission on scope llm-keys" in printed
        # A workspace admin can still repair it: rights come from the `admins` group.
        cli(stack, "add-member", "--group", "admins", "--member", PLATFORM)
        stack.up()


def test_destroy_by_a_non_admin_deployer_leaves_nothing(emulated_engine: None, tmp_path: Path) -> None:
    """managers without the deployer: it keeps its own MANAGE ACL, whose delete the provider skips,
    so the scope (and with it that ACL) can still be deleted."""
    properties = {
        "scopeName": PROJECT,
        "scopePerProvider": True,
        "managers": ["platform-admins"],
        "readers": ["data-science"],
        "providers": [{"name": "openai", "apiKey": "${apiKey}"}, {"name": "anthropic", "external": True}],
    }
    source = yaml_vault_project(tmp_path / "source", PROJECT, properties, outputs=OUTPUTS)
    stack = LocalStack(source, tmp_path / "vault")
    stack.init({"apiKey": MANAGED}, {"databricks:clientId": PLATFORM})
    stack.up()
    grants = stack.outputs()["grants"]
    assert {"scope": "llm-keys-ext-anthropic", "principal": PLATFORM, "permission": "MANAGE"} in grants
    dump = stack.workspace_dump()
    assert dump["acls"]["llm-keys-ext-openai"][PLATFORM] == "MANAGE"
    assert not any(PLATFORM in members for members in (dump.get("groups") or {}).values())  # no admin
    stack.destroy()
    assert is_empty(stack.workspace_dump())
