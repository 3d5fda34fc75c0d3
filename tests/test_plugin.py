"""The built plugin as the real engine loads it, its release archives and its lock
(needs `make tools build`; the archives are built here with `make dist-plugin`)."""

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from conftest import make
from packaging.requirements import Requirement

from devtools.local_stack import BIN, ROOT, pulumi_env

pytestmark = [pytest.mark.plugin, pytest.mark.slow]

LAUNCHER = "pulumi-resource-llmkeyvault"
CMD_DIR = ROOT / "provider" / "cmd" / LAUNCHER
LOCK = ROOT / "provider" / "requirements.txt"
# The platforms a release carries a plugin for, and the first bytes of uv's binary there.
PLATFORMS = {
    "linux-amd64": b"\x7fELF\x02\x01\x01",
    "linux-arm64": b"\x7fELF\x02\x01\x01",
    "darwin-amd64": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
    "darwin-arm64": b"\xcf\xfa\xed\xfe\x0c\x00\x00\x01",
    "windows-amd64": b"MZ",
}
# ELF e_machine (offset 18): x86-64 and AArch64.
ELF_MACHINE = {"linux-amd64": 0x3E, "linux-arm64": 0xB7}


def schema() -> dict[str, object]:
    with (ROOT / "schema.yaml").open(encoding="utf-8") as f:
        loaded: dict[str, object] = yaml.safe_load(f)
    return loaded


def archive_path(platform: str) -> Path:
    return ROOT / "dist" / f"pulumi-resource-llmkeyvault-v{schema()['version']}-{platform}.tar.gz"


@pytest.fixture(scope="module")
def archives() -> dict[str, Path]:
    make("dist-plugin")
    return {platform: archive_path(platform) for platform in PLATFORMS}


def test_engine_reads_schema_yaml_from_the_plugin(engine_ready: None, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "pulumi"), "package", "get-schema", str(BIN / LAUNCHER)],
        env=pulumi_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    served = json.loads(result.stdout)
    assert served.pop("config", {}) == {}  # the engine adds an empty config section
    assert served == schema()


def test_each_archive_holds_its_platforms_launcher_lock_wheel_and_uv(archives: dict[str, Path]) -> None:
    version = schema()["version"]
    wheel = f"llmkeyvault_provider-{version}-py3-none-any.whl"
    for platform, path in archives.items():
        windows = platform.startswith("windows")
        launcher, uv = (f"{LAUNCHER}.cmd", "uv.exe") if windows else (LAUNCHER, "uv")
        with tarfile.open(path) as archive:
            members = {m.name.removeprefix("./"): m for m in archive.getmembers() if m.isfile()}
            assert set(members) == {launcher, "requirements.txt", wheel, uv}, platform
            if not windows:  # Windows runs a .cmd and an .exe by their names
                assert members[launcher].mode & 0o111 and members[uv].mode & 0o111, platform
            read = archive.extractfile
            assert read(members[launcher]).read() == (CMD_DIR / launcher).read_bytes()  # type: ignore[union-attr]
            assert read(members["requirements.txt"]).read() == LOCK.read_bytes()  # type: ignore[union-attr]
            head = read(members[uv]).read(20)  # type: ignore[union-attr]
        assert head.startswith(PLATFORMS[platform]), f"{platform}: uv is not this platform's binary"
        if platform in ELF_MACHINE:
            assert head[18] == ELF_MACHINE[platform], f"{platform}: uv is for another architecture"


def test_the_engine_downloads_each_platforms_archive_by_name(archives: dict[str, Path]) -> None:
    """Asks the engine's own download code (tests/pluginnames, at the CLI's version)
    which asset of a release holding dist/'s archives it fetches for each platform."""
    result = subprocess.run(
        ["go", "test", "-count=1", "-v", "."],
        cwd=ROOT / "tests" / "pluginnames",
        env={
            **os.environ,
            "LLMKEYVAULT_DIST": str(ROOT / "dist"),
            "LLMKEYVAULT_VERSION": str(schema()["version"]),
            "LLMKEYVAULT_PLUGIN_DOWNLOAD_URL": str(schema()["pluginDownloadURL"]),
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for platform, path in archives.items():
        assert f"{platform}: {path.name}" in result.stdout


def engine_module_dir() -> Path:
    found = subprocess.run(
        ["go", "list", "-m", "-f", "{{.Dir}}", "github.com/pulumi/pulumi/sdk/v3"],
        cwd=ROOT / "tests" / "pluginnames",
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip())


def test_the_engine_runs_a_cmd_launcher_on_windows() -> None:
    """The engine probes a plugin's folder for these extensions on Windows; the archive's
    launcher is a .cmd, in CRLF lines as cmd.exe reads them."""
    source = (engine_module_dir() / "go" / "common" / "workspace" / "plugins.go").read_text(encoding="utf-8")
    probe = re.search(r"func getCandidateExtensions\(\) \[\]string \{(.*?)\n\}", source, re.S)
    assert probe is not None
    assert re.search(r'runtime\.GOOS == windowsGOOS \{\s*return \[\]string\{"\.exe", "\.cmd"\}', probe.group(1))
    text = (CMD_DIR / f"{LAUNCHER}.cmd").read_bytes()
    assert b"\r\n" in text and b"\n" not in text.replace(b"\r\n", b"")


def test_both_launchers_install_the_lock_alone_with_hashes() -> None:
    """The Unix and Windows launchers take the same guarded install: the lock with its
    hashes, nothing it does not name, wheels only; then the provider's wheel, offline."""
    for name in (LAUNCHER, f"{LAUNCHER}.cmd"):
        text = (CMD_DIR / name).read_text(encoding="utf-8")
        installs = [line for line in text.splitlines() if "pip install" in line or "--require-hashes" in line]
        locked = [line for line in installs if "requirements.txt" in line]
        assert locked and all(
            "--require-hashes" in line and "--no-deps" in line and "--only-binary :all:" in line for line in locked
        ), name
        assert "--no-index" in text, name


def test_the_lock_pins_and_hashes_every_requirement() -> None:
    text = LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z])", text[text.index("\n", text.index("make lock")) + 1 :].strip())
    pins = {}
    for entry in entries:
        requirement = Requirement(entry.split("\\")[0].strip())
        assert len(requirement.specifier) == 1 and next(iter(requirement.specifier)).operator == "==", entry
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", entry), f"{requirement.name} has no hash"
        pins[requirement.name.lower()] = next(iter(requirement.specifier)).version
    # The lock satisfies the package's declared dependencies, and runs the pulumi the tests use.
    with (ROOT / "provider" / "pyproject.toml").open("rb") as f:
        import tomllib

        project = tomllib.load(f)["project"]
    for line in project["dependencies"]:
        dependency = Requirement(line)
        assert dependency.specifier.contains(pins[dependency.name.lower()]), line
    tested = next(Requirement(r) for r in project["optional-dependencies"]["test"] if r.startswith("pulumi=="))
    assert pins["pulumi"] == next(iter(tested.specifier)).version


def test_the_locks_are_what_make_lock_writes() -> None:
    result = subprocess.run(["make", "--no-print-directory", "lock-check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_tarball_installs_and_serves_the_schema(
    engine_ready: None, archives: dict[str, Path], tmp_path: Path
) -> None:
    """The engine installs the host's archive as a user would (`pulumi plugin install
    --file`) and starts it under a PATH of POSIX tools only: no flock, no readlink."""
    platform = "linux-amd64"
    home = tmp_path / "home"
    install = ["plugin", "install", "resource", "llmkeyvault", str(schema()["version"])]
    subprocess.run(
        [str(BIN / "pulumi"), *install, "--file", str(archives[platform])],
        env=pulumi_env(home),
        capture_output=True,
        text=True,
        check=True,
    )
    installed = home / "plugins" / f"resource-llmkeyvault-v{schema()['version']}"
    assert (installed / LAUNCHER).is_file()
    posix = tmp_path / "posix"
    posix.mkdir()
    for tool in ("sh", "ls", "cat", "mkdir", "rm", "mv", "sleep"):
        real = subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True, check=True)
        (posix / tool).symlink_to(os.path.realpath(real.stdout.strip()))
    (posix / "python3").symlink_to(os.path.realpath(sys.executable))
    env = {**pulumi_env(home), "PATH": str(posix), "PULUMI_IGNORE_AMBIENT_PLUGINS": "true"}
    env = {k: v for k, v in env.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    # The engine runs the installed plugin (the schema's version), making its venv first.
    result = subprocess.run(
        [str(BIN / "pulumi"), "package", "get-schema", f"llmkeyvault@{schema()['version']}"],
        env={**env, "UV_CACHE_DIR": str(tmp_path / "uv-cache")},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout)
    served.pop("config", None)
    assert served == schema()
    assert (installed / "venv" / "bin" / "python").exists()
