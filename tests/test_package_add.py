"""`pulumi package add <provider folder>` and a deployment of the package it adds.

The provider runs from source: the engine reads provider/PulumiPlugin.yaml
(`runtime: python`) and hands the folder to bin/pulumi-language-python, the
reduced Python language host built from offline/pyhost (docs/python-host.md),
which makes the folder's virtual environment (InstallDependencies) and runs its
__main__.py (RunPlugin). No built plugin (build/plugin, bin/pulumi-resource-*)
takes part. The databricks, random and azure-native plugins are the workspace
emulator, a test double. Needs `make tools emulator`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from devtools.local_stack import ROOT, LocalStack, Result, yaml_vault_project
from devtools.workspace import digest, is_empty

pytestmark = [pytest.mark.plugin, pytest.mark.slow]

KEY = "sk-test-package-add-0000"
RESOURCE = "llmKeys"


def copy_provider(target: Path) -> Path:
    """provider/ without its venv and build outputs; schema.yaml (a symlink) becomes a file."""
    shutil.copytree(
        ROOT / "provider",
        target,
        symlinks=False,
        ignore=shutil.ignore_patterns("venv", ".venv", "build", "*.egg-info", "__pycache__"),
    )
    assert not (target / "llmkeyvault_provider" / "schema.yaml").is_symlink()
    return target


def project_source(folder: Path) -> Path:
    return yaml_vault_project(
        folder,
        "package-add",
        {"providers": [{"name": "openai", "apiKey": "${key}"}]},
        secret_config=("key",),
        resource=RESOURCE,
        outputs=("grants",),
    )


@pytest.fixture(scope="module")
def added(engine_ready: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalStack, Path, Result]:
    root = tmp_path_factory.mktemp("package-add")
    provider = copy_provider(root / "provider")
    # The emulator serves databricks, random and azure-native; llmkeyvault can come
    # only from the source folder: not from the plugins section, nor from PATH
    # (bin/ holds the built plugin).
    stack = LocalStack(
        project_source(root / "source"),
        root / "stack",
        built_plugin=False,
        extra_env={"PULUMI_IGNORE_AMBIENT_PLUGINS": "true"},
    )
    stack.init({"key": KEY})
    # -v=7 logs the engine's calls to the language hosts.
    return stack, provider, stack.run("package", "add", str(provider), "-v=7", "--logtostderr", check=False)


Added = tuple[LocalStack, Path, Result]


def test_package_add_runs_the_provider_from_source(added: Added) -> None:
    stack, provider, result = added
    log = result.stderr
    root = f"root={provider}"
    # The engine asked our Python host to make the venv and to run the folder.
    assert f"langhost[python].InstallDependencies(Info=[{root}" in log
    assert f"langhost[python].RunPlugin({root}" in log
    assert (provider / "venv" / "bin" / "python").exists()
    # ... and read the schema from the running provider to generate the (YAML) SDK.
    assert "Successfully generated an SDK for the llmkeyvault package" in result.stdout
    with (ROOT / "schema.yaml").open(encoding="utf-8") as f:
        version = yaml.safe_load(f)["version"]
    assert (stack.project / "sdks" / "llmkeyvault" / f"llmkeyvault-{version}.yaml").is_file()
    assert KEY not in result.stdout + result.stderr

    assert result.returncode == 0, result.stderr
    assert "Added package LlmKeyVault" in result.stderr
    assert stack.definition()["packages"] == {"llmkeyvault": str(provider)}


def test_up_and_destroy_with_the_added_package(added: Added) -> None:
    stack, provider, _ = added
    assert stack.definition()["packages"] == {"llmkeyvault": str(provider)}

    up = stack.up("-v=7", "--logtostderr")
    # The engine ran the provider from the source folder through our Python host.
    assert f"langhost[python].RunPlugin(root={provider}" in up.stderr
    deployed = stack.workspace_dump()
    assert set(deployed["scopes"]) == {RESOURCE}
    assert deployed["scopes"][RESOURCE]["secretKeys"] == ["openai-api-key"]
    assert deployed["secrets"][RESOURCE]["openai-api-key"]["valueSha256"] == digest(KEY)

    stack.destroy()
    assert is_empty(stack.workspace_dump())

    assert KEY not in stack.everything_printed(), "the key was printed"
    assert KEY not in (stack.project / "Pulumi.dev.yaml").read_text(encoding="utf-8")
