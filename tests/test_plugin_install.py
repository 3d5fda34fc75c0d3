"""The plugin's first start from its release archive: the launcher makes the provider's
virtual environment from the hashed lock only, under POSIX sh without GNU tools, one start
at a time. Needs `make dist-plugin` (run here) and the index (PyPI) for the good install."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import platform
import re
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import make

from devtools.local_stack import ROOT

pytestmark = [pytest.mark.plugin, pytest.mark.slow]

LAUNCHER = "pulumi-resource-llmkeyvault"
LOCK = ROOT / "provider" / "requirements.txt"
# The POSIX tools the Unix launcher may use; the shell's own builtins aside.
POSIX_TOOLS = ("sh", "ls", "cat", "mkdir", "rm", "mv", "sleep")


def version() -> str:
    with (ROOT / "schema.yaml").open(encoding="utf-8") as f:
        return str(yaml.safe_load(f)["version"])


def host_archive() -> Path:
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine().lower()]
    system = {"Linux": "linux", "Darwin": "darwin"}[platform.system()]
    return ROOT / "dist" / f"pulumi-resource-llmkeyvault-v{version()}-{system}-{arch}.tar.gz"


def unpack(archive: Path, folder: Path) -> Path:
    with tarfile.open(archive) as t:
        t.extractall(folder, filter="data")
    return folder


def locked() -> dict[str, str]:
    """The lock's requirements: normalised name -> version."""
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", LOCK.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): v for name, v in pins}


def posix_path(folder: Path) -> str:
    """A PATH of only POSIX tools and python3: no flock, no readlink (GNU or other)."""
    folder.mkdir()
    for tool in POSIX_TOOLS:
        real = subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True, text=True, check=True)
        (folder / tool).symlink_to(os.path.realpath(real.stdout.strip()))
    (folder / "python3").symlink_to(os.path.realpath(sys.executable))
    assert not any((folder / tool).exists() for tool in ("flock", "readlink", "bash"))
    return str(folder)


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """No installer configuration from this machine, private caches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    return {
        **env,
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_CACHE_DIR": str(tmp / "pip-cache"),
        "UV_CACHE_DIR": str(tmp / "uv-cache"),
        **extra,
    }


@pytest.fixture(scope="module")
def archive() -> Path:
    make("dist-plugin")
    return host_archive()


def test_first_start_under_posix_sh_installs_the_lock_once(archive: Path, tmp_path: Path) -> None:
    plugin = unpack(archive, tmp_path / "plugin")
    assert (plugin / "uv").is_file() and (plugin / "requirements.txt").read_bytes() == LOCK.read_bytes()
    # Reached through a symbolic link, as bin/ reaches the built plugin.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / LAUNCHER).symlink_to(plugin / LAUNCHER)
    env = clean_env(tmp_path, PATH=posix_path(tmp_path / "posix"))
    # Two starts at once: one installs, the other waits for it; both serve.
    starts = [
        subprocess.Popen(
            ["sh", str(tmp_path / "bin" / LAUNCHER), "127.0.0.1:1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    logs = []
    for start in starts:
        assert start.stdout is not None
        port = start.stdout.readline().strip()
        start.kill()
        logs.append(start.communicate()[1])
        assert port.isdigit(), logs[-1]
    assert sum(log.count("first start, installing") for log in logs) == 1, logs
    assert not (plugin / ".venv.lock").exists()
    assert not (plugin / "venv.partial").exists()
    # Exactly the lock's versions, and the provider's wheel.
    site = next((plugin / "venv" / "lib").glob("python3*/site-packages"))
    installed = {
        re.sub(r"[-_.]+", "-", d.name.removesuffix(".dist-info").rsplit("-", 1)[0]).lower(): d.name.removesuffix(
            ".dist-info"
        ).rsplit("-", 1)[1]
        for d in site.glob("*.dist-info")
    }
    assert installed.pop("llmkeyvault-provider") == version()
    assert installed == locked()


def fake_wheel(name: str, version: str) -> tuple[str, bytes]:
    """A wheel of ``name`` at ``version`` that is not the published one."""
    dist = f"{re.sub(r'[-_.]+', '_', name)}-{version}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        wheel.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{dist}.dist-info/RECORD", "")
    return f"{dist}-py3-none-any.whl", buffer.getvalue()


@pytest.fixture
def index(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A PEP 503 index serving, for every locked project, a wheel that is not the
    locked one: the same version with other content (``same``), or another version."""
    same = request.param == "same"
    files: dict[str, bytes] = {}
    pages: dict[str, str] = {}
    for name, pinned in locked().items():
        filename, content = fake_wheel(name, pinned if same else pinned + ".post1")
        files[filename] = content
        digest = hashlib.sha256(content).hexdigest()
        pages[name] = f'<a href="/files/{filename}#sha256={digest}">{filename}</a>'

    class Index(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            name = path.removeprefix("/simple/").strip("/")
            if path.startswith("/files/") and path[7:] in files:
                body, kind = files[path[7:]], "application/octet-stream"
            elif path.startswith("/simple/") and name in pages:
                body, kind = f"<html><body>{pages[name]}</body></html>".encode(), "text/html"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/", request.param
    finally:
        server.shutdown()


@pytest.mark.parametrize("installer", ["uv", "pip"])
@pytest.mark.parametrize("index", ["same", "other"], indirect=True, ids=["tampered-same-version", "other-version"])
def test_an_index_serving_other_files_is_refused(
    archive: Path, tmp_path: Path, index: tuple[str, str], installer: str
) -> None:
    url, served = index
    plugin = unpack(archive, tmp_path / "plugin")
    env = clean_env(
        tmp_path,
        LLMKEYVAULT_INSTALLER=installer,
        PIP_INDEX_URL=url,
        UV_INDEX_URL=url,
        UV_DEFAULT_INDEX=url,
        PATH=posix_path(tmp_path / "posix"),
    )
    start = subprocess.run(
        ["sh", str(plugin / LAUNCHER), "127.0.0.1:1"], capture_output=True, text=True, env=env, timeout=600
    )
    assert start.returncode != 0
    assert start.stdout == "", "the provider started"
    log = start.stderr.lower()
    if served == "same":
        assert "hash mismatch" in log or "do not match the hashes" in log, log
    else:
        assert "no matching distribution" in log or "there is no version of" in log, log
    assert not (plugin / "venv").exists()
    assert not (plugin / ".venv.lock").exists(), "a failed start left its lock"


@pytest.mark.parametrize("index", ["same"], indirect=True)
def test_a_uv_that_cannot_run_here_leaves_the_install_to_pip(
    archive: Path, tmp_path: Path, index: tuple[str, str]
) -> None:
    """The archive's uv is replaced by another architecture's (as on a machine it does not
    suit): the launcher installs with pip, which still checks the hashes."""
    plugin = unpack(archive, tmp_path / "plugin")
    other = "linux-arm64" if platform.machine().lower() in ("x86_64", "amd64") else "linux-amd64"
    with tarfile.open(ROOT / "dist" / f"pulumi-resource-llmkeyvault-v{version()}-{other}.tar.gz") as t:
        member = t.extractfile("./uv")
        assert member is not None
        (plugin / "uv").write_bytes(member.read())
    url, _ = index
    env = clean_env(tmp_path, PIP_INDEX_URL=url, UV_INDEX_URL=url, PATH=posix_path(tmp_path / "posix"))
    start = subprocess.run(
        ["sh", str(plugin / LAUNCHER), "127.0.0.1:1"], capture_output=True, text=True, env=env, timeout=600
    )
    assert start.returncode != 0 and start.stdout == ""
    assert "do not match the hashes" in start.stderr.lower(), start.stderr  # pip's words, not uv's
    assert not (plugin / "venv").exists()
