"""Upgrading a deployment made with 0.1.0 to this version keeps every key.

0.1.0's Key Vault example (examples/azure-typescript at the last commit of 0.1.0), as a
YAML program with `uniqueSuffix`, is deployed with the 0.1.0 plugin built from git
history, then upgraded to this version's plugin (the release archive) by raising the
resource's `version` option, as CHANGELOG.md's "Upgrading" part says. The keys are in
the vault and readable through the scope after the upgrade. Needs the git history,
`make tools emulator` and `make dist-plugin`.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import make

from devtools.local_stack import ROOT, LocalStack
from devtools.workspace import DEPLOYER, digest, is_empty, secret_digests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VERSION = str(yaml.safe_load((ROOT / "schema.yaml").read_text(encoding="utf-8"))["version"])
OLD = "0.1.0"
VAULT = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm-keys"
    "/providers/Microsoft.KeyVault/vaults/kv-llm-keys"
)
KEYS = {
    "azureOpenaiApiKey": "sk-test-upgrade-azure-openai-0000",
    "openaiApiKey": "sk-test-upgrade-openai-0000",
    "mistralApiKey": "sk-test-upgrade-mistral-0000",
}
CONFIG = {
    "databricks:azureWorkspaceResourceId": "/subscriptions/00000000-0000-0000-0000-000000000000"
    "/resourceGroups/rg-databricks/providers/Microsoft.Databricks/workspaces/dbw-ml",
    "databricks:authType": "azure-cli",
}


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def old_commit() -> str:
    """The last commit whose schema.yaml is at 0.1.0: the parent of the one that left it."""
    if git("rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("a shallow clone has no 0.1.0 to build: run in a full clone (`git fetch --unshallow`)")
    left = git("log", "--format=%H", "-S", f"version: {OLD}", "--", "schema.yaml").split()
    assert left, "no 0.1.0 in the git history"
    commit = f"{left[0]}^"
    assert f"\nversion: {OLD}\n" in git("show", f"{commit}:schema.yaml")
    return git("rev-parse", commit)


def old_archive(work: Path) -> Path:
    """0.1.0's plugin archive as its mk/build.mk made it: its launcher and its wheel."""
    commit = old_commit()
    source = work / "src"
    source.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit, "provider", "schema.yaml"], cwd=ROOT, capture_output=True)
    assert archive.returncode == 0
    (work / "src.tar").write_bytes(archive.stdout)
    with tarfile.open(work / "src.tar") as t:
        t.extractall(source, filter="data")
    link = source / "provider" / "llmkeyvault_provider" / "schema.yaml"
    if link.is_symlink():
        link.unlink()
        shutil.copy(source / "schema.yaml", link)
    plugin = work / "plugin"
    subprocess.run(
        ["python3", "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(plugin), str(source / "provider")],
        check=True,
    )
    (wheel,) = plugin.glob(f"llmkeyvault_provider-{OLD}-*.whl")
    shutil.copy(source / "provider" / "cmd" / "pulumi-resource-llmkeyvault" / "pulumi-resource-llmkeyvault", plugin)
    tarball = work / f"pulumi-resource-llmkeyvault-v{OLD}-linux-amd64.tar.gz"
    with tarfile.open(tarball, "w:gz") as t:
        for name in ("pulumi-resource-llmkeyvault", wheel.name):
            t.add(plugin / name, arcname=name)
    return tarball


def program(version: str) -> dict[str, Any]:
    """0.1.0's Key Vault example in YAML with uniqueSuffix, and a Databricks-backed vault
    beside it, both pinned to ``version``."""
    providers = [
        {"name": "azure-openai", "apiKey": "${azureOpenaiApiKey}"},
        {"name": "openai", "apiKey": "${openaiApiKey}"},
        {"name": "mistral", "apiKey": "${mistralApiKey}"},
    ]
    grants = {"readers": ["data-science"], "managers": ["platform-admins"]}
    return {
        "name": "llm-keys-upgrade",
        "runtime": "yaml",
        "config": {key: {"type": "string", "secret": True} for key in KEYS},
        "resources": {
            "llmKeys": {
                "type": "llmkeyvault:LlmKeyVault",
                "options": {"version": version},
                "properties": {
                    "scopeName": "llm-keys",
                    "uniqueSuffix": True,
                    "backend": "azure-keyvault",
                    "keyVault": {"resourceId": VAULT},
                    "providers": copy.deepcopy(providers),
                    **copy.deepcopy(grants),
                },
            },
            "teamKeys": {
                "type": "llmkeyvault:LlmKeyVault",
                "options": {"version": version},
                "properties": {
                    "scopeName": "team-keys",
                    "uniqueSuffix": True,
                    "providers": copy.deepcopy(providers[1:]),
                    **copy.deepcopy(grants),
                },
            },
        },
        "outputs": {
            "secretReferences": "${llmKeys.secretReferences}",
            "teamSecretReferences": "${teamKeys.secretReferences}",
        },
    }


def summary(preview: str) -> str:
    return " ".join(preview.split("Resources:", 1)[1].split())


def test_upgrading_a_0_1_0_key_vault_deployment_keeps_the_keys(engine_ready: None, tmp_path: Path) -> None:
    make("dist-plugin")
    old = old_archive(tmp_path / "old")
    source = tmp_path / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(yaml.safe_dump(program(OLD), sort_keys=False), encoding="utf-8")
    stack = LocalStack(
        source, tmp_path / "stack", built_plugin=False, extra_env={"PULUMI_IGNORE_AMBIENT_PLUGINS": "true"}
    )
    stack.run("plugin", "install", "resource", "llmkeyvault", OLD, "--file", str(old))
    # 0.1.0's launcher would install its dependencies unpinned; give it this version's lock.
    plugins = stack.home / "plugins"
    uv = str(ROOT / ".venv" / "bin" / "uv")
    venv = plugins / f"resource-llmkeyvault-v{OLD}" / "venv"
    subprocess.run([uv, "--quiet", "venv", "--python", os.path.realpath(sys.executable), str(venv)], check=True)
    env = {**os.environ, "VIRTUAL_ENV": str(venv)}
    lock = str(ROOT / "provider" / "requirements.txt")
    subprocess.run([uv, "--quiet", "pip", "install", "--require-hashes", "--no-deps", "-r", lock], env=env, check=True)
    (wheel,) = (tmp_path / "old" / "plugin").glob("*.whl")
    subprocess.run([uv, "--quiet", "pip", "install", "--no-deps", str(wheel)], env=env, check=True)
    archive = ROOT / "dist" / f"pulumi-resource-llmkeyvault-v{VERSION}-linux-amd64.tar.gz"
    stack.run("plugin", "install", "resource", "llmkeyvault", VERSION, "--file", str(archive))

    stack.init(KEYS, CONFIG)
    stack.up()
    references = stack.outputs()
    before = stack.workspace_dump()
    assert {digest(key) for key in KEYS.values()} <= set(secret_digests(before).values())
    assert not (plugins / f"resource-llmkeyvault-v{VERSION}" / "venv").exists()

    # The upgrade: raise the version option (for an SDK, install the new SDK version).
    definition = stack.definition()
    for resource in definition["resources"].values():
        resource["options"]["version"] = VERSION
    stack.redefine(definition)
    preview = summary(stack.preview().stdout)
    # Nothing replaced, updated or deleted; created only the deploying identity's own MANAGE on
    # each scope (deployerAcl, new in this version).
    scopes = sorted(before["scopes"])
    assert re.fullmatch(rf"\+ {len(scopes)} to create \d+ unchanged", preview), preview
    logged = len(before["log"])
    stack.up()
    after = stack.workspace_dump()
    # This version's plugin ran (it made its venv on first start) and changed nothing else.
    assert (plugins / f"resource-llmkeyvault-v{VERSION}" / "venv" / "bin" / "python").is_file()
    writes = [entry for entry in after["log"][logged:] if entry["op"] in ("create", "update", "delete")]
    assert sorted((e["kind"], e["op"], e["target"]) for e in writes) == [
        ("acl", "create", f"{scope}|||{DEPLOYER}") for scope in scopes
    ]
    outputs = stack.outputs()
    if "grants" in outputs:  # the deployer's own MANAGE is the only grant added
        outputs["grants"] = [g for g in outputs["grants"] if g["principal"] != DEPLOYER]
    assert outputs == references
    assert sorted(secret_digests(after).values()) == sorted(secret_digests(before).values())
    stored = set(secret_digests(after).values())
    assert {digest(key) for key in KEYS.values()} <= stored
    assert set(after["scopes"]) == set(before["scopes"])

    stack.destroy()
    assert is_empty(stack.workspace_dump())
    assert not any(key in stack.everything_printed() for key in KEYS.values()), "a key was printed"
