"""The built plugin as the real engine loads it (needs `make tools build`)."""

import json
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from conftest import make

from devtools.local_stack import BIN, ROOT, pulumi_env

pytestmark = [pytest.mark.plugin, pytest.mark.slow]


def schema() -> dict[str, object]:
    with (ROOT / "schema.yaml").open(encoding="utf-8") as f:
        loaded: dict[str, object] = yaml.safe_load(f)
    return loaded


def test_engine_reads_schema_yaml_from_the_plugin(engine_ready: None, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "pulumi"), "package", "get-schema", str(BIN / "pulumi-resource-llmkeyvault")],
        env=pulumi_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    served = json.loads(result.stdout)
    assert served.pop("config", {}) == {}  # the engine adds an empty config section
    assert served == schema()


def test_release_tarball_installs_and_serves_the_schema(engine_ready: None, tmp_path: Path) -> None:
    make("dist-plugin")
    version = schema()["version"]
    tarball = ROOT / "dist" / f"pulumi-resource-llmkeyvault-v{version}-linux-amd64.tar.gz"
    with tarfile.open(tarball) as archive:
        assert set(archive.getnames()) == {
            "pulumi-resource-llmkeyvault",
            f"llmkeyvault_provider-{version}-py3-none-any.whl",
        }
        archive.extractall(tmp_path / "plugin", filter="data")
    # A fresh install: the shim makes its own venv on first start.
    result = subprocess.run(
        [str(BIN / "pulumi"), "package", "get-schema", str(tmp_path / "plugin" / "pulumi-resource-llmkeyvault")],
        env=pulumi_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        check=True,
    )
    served = json.loads(result.stdout)
    served.pop("config", None)
    assert served == schema()
    assert (tmp_path / "plugin" / "venv" / "bin" / "python").exists()
