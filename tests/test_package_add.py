"""`pulumi package add <provider folder>` and a deployment of the package it adds.

The provider runs from source: the engine reads provider/PulumiPlugin.yaml
(`runtime: python`) and hands the folder to bin/pulumi-language-python, the
reduced Python language host built from tools/pyhost (docs/python-host.md),
which makes the folder's virtual environment (InstallDependencies) and runs its
__main__.py (RunPlugin). No built plugin (build/plugin, bin/pulumi-resource-*)
takes part. The databricks, random and azure-native plugins are the workspace
emulator, a test double. Needs `make tools emulator`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.workspace import digest, is_empty

pytestmark = [pytest.mark.plugin, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "bin"
EMULATOR = BIN / "emulator"
KEY = "sk-test-package-add-0000"
RESOURCE = "llmKeys"


@dataclass
class Project:
    root: Path
    provider: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)

    @property
    def dir(self) -> Path:
        return self.root / "project"

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(BIN / "pulumi"), *args],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.outputs.append(done.stdout + done.stderr)
        if check and done.returncode != 0:
            pytest.fail(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def definition(self) -> dict[str, Any]:
        with (self.dir / "Pulumi.yaml").open(encoding="utf-8") as f:
            loaded: dict[str, Any] = yaml.safe_load(f)
        return loaded

    def save(self, definition: dict[str, Any]) -> None:
        with (self.dir / "Pulumi.yaml").open("w", encoding="utf-8") as f:
            yaml.safe_dump(definition, f, sort_keys=False)

    def dump(self) -> dict[str, Any]:
        done = subprocess.run(
            [str(EMULATOR / "llmkeyvault-workspace-emulator"), "dump", "--dir", str(self.workspace)],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        loaded: dict[str, Any] = json.loads(done.stdout)
        return loaded


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


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, subprocess.CompletedProcess[str]]:
    subprocess.run(["make", "--no-print-directory", "tools", "emulator"], cwd=ROOT, check=True)
    root = tmp_path_factory.mktemp("package-add")
    provider = copy_provider(root / "provider")
    for folder in ("project", "home", "state", "workspace"):
        (root / folder).mkdir()
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "PULUMI_HOME": str(root / "home"),
        "PULUMI_CONFIG_PASSPHRASE": "x",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # No pulumi-resource-llmkeyvault from PATH (bin/ has the built one):
        # the package can only come from the source folder.
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
        "LLMKEYVAULT_EMULATOR_DIR": str(root / "workspace"),
        "LLMKEYVAULT_EMULATOR_QUIET": "1",
    }
    project = Project(root=root, provider=provider, env=env)
    project.save(
        {
            "name": "package-add",
            "runtime": "yaml",
            "config": {"key": {"type": "string", "secret": True}},
            "plugins": {
                "providers": [
                    {"name": name, "path": str(EMULATOR)} for name in ("databricks", "random", "azure-native")
                ]
            },
            "resources": {
                RESOURCE: {
                    "type": "llmkeyvault:LlmKeyVault",
                    "properties": {"providers": [{"name": "openai", "apiKey": "${key}"}]},
                }
            },
            "outputs": {"grants": f"${{{RESOURCE}.grants}}"},
        }
    )
    project.pulumi("login", f"file://{root / 'state'}")
    project.pulumi("stack", "init", "dev")
    project.pulumi("config", "set", "--secret", "key", KEY)
    # -v=7 logs the engine's calls to the language hosts.
    result = project.pulumi("package", "add", str(provider), "-v=7", "--logtostderr", check=False)
    return project, result


def test_package_add_runs_the_provider_from_source(added: tuple[Project, subprocess.CompletedProcess[str]]) -> None:
    project, result = added
    log = result.stderr
    root = f"root={project.provider}"
    # The engine asked our Python host to make the venv and to run the folder.
    assert f"langhost[python].InstallDependencies(Info=[{root}" in log
    assert f"langhost[python].RunPlugin({root}" in log
    assert (project.provider / "venv" / "bin" / "python").exists()
    # ... and read the schema from the running provider to generate the (YAML) SDK.
    assert "Successfully generated an SDK for the llmkeyvault package" in result.stdout
    with (ROOT / "schema.yaml").open(encoding="utf-8") as f:
        version = yaml.safe_load(f)["version"]
    assert (project.dir / "sdks" / "llmkeyvault" / f"llmkeyvault-{version}.yaml").is_file()
    assert KEY not in result.stdout + result.stderr

    assert result.returncode == 0, result.stderr
    assert "Added package LlmKeyVault" in result.stderr
    assert project.definition()["packages"] == {"llmkeyvault": str(project.provider)}


def test_up_and_destroy_with_the_added_package(added: tuple[Project, subprocess.CompletedProcess[str]]) -> None:
    project, _ = added
    assert project.definition()["packages"] == {"llmkeyvault": str(project.provider)}

    up = project.pulumi("up", "--yes", "--skip-preview", "--non-interactive", "-v=7", "--logtostderr")
    # The engine ran the provider from the source folder through our Python host.
    assert f"langhost[python].RunPlugin(root={project.provider}" in up.stderr
    deployed = project.dump()
    assert set(deployed["scopes"]) == {RESOURCE}
    assert deployed["scopes"][RESOURCE]["secretKeys"] == ["openai-api-key"]
    assert deployed["secrets"][RESOURCE]["openai-api-key"]["valueSha256"] == digest(KEY)

    project.pulumi("destroy", "--yes", "--non-interactive")
    assert is_empty(project.dump())
    assert not project.dump()["scopes"]

    assert KEY not in "".join(project.outputs), "the key was printed"
    assert KEY not in (project.dir / "Pulumi.dev.yaml").read_text(encoding="utf-8")
