"""`pulumi package add <provider folder>` and a deployment of the package it adds.

The provider runs from source: the engine reads provider/PulumiPlugin.yaml
(`runtime: python`) and hands the folder to bin/pulumi-language-python, the
reduced Python language host built from toolchain/pyhost (docs/python-host.md),
which makes the folder's virtual environment (InstallDependencies) and runs its
__main__.py (RunPlugin). No built plugin (build/plugin, bin/pulumi-resource-*)
takes part. The databricks, random and azure-native plugins are the workspace
emulator, a test double. Needs `make tools emulator`.
"""

from __future__ import annotations

import http.server
import os
import secrets
import shutil
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
import yaml

from devtools.local_stack import ROOT, LocalStack, Result, yaml_vault_project
from devtools.workspace import digest, is_empty

pytestmark = [pytest.mark.plugin, pytest.mark.slow]

KEY = "sk-test-package-add-0000"
with (ROOT / "schema.yaml").open(encoding="utf-8") as _schema:
    VERSION = str(yaml.safe_load(_schema)["version"])
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


# ---------------------------------------------------------------------------
# From a release tag of a Git repository: `pulumi package add https://<host>/<owner>/<repo>.git/provider@<version>`.
# The engine clones Git sources over HTTPS only; here a local repository holding this
# checkout's tracked files, tagged v<version>, is served by `git http-backend` behind a
# local TLS server whose self-signed certificate the engine trusts through SSL_CERT_FILE.


class GitServer:
    """`git http-backend` (Git's smart HTTP) for the repositories under ``root``, over TLS."""

    def __init__(self, root: Path, host: str, certificate: Path, key: Path) -> None:
        backend = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()

        class Handler(http.server.BaseHTTPRequestHandler):
            def _cgi(self) -> None:
                path, _, query = self.path.partition("?")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                env = {
                    "GIT_PROJECT_ROOT": str(root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "REQUEST_METHOD": self.command,
                    "CONTENT_TYPE": self.headers.get("Content-Type") or "",
                    "CONTENT_LENGTH": str(len(body)),
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding") or "",
                    "GIT_PROTOCOL": self.headers.get("Git-Protocol") or "",
                    "REMOTE_ADDR": "127.0.0.1",
                    "PATH": os.environ["PATH"],
                }
                done = subprocess.run([f"{backend}/git-http-backend"], input=body, env=env, capture_output=True)
                head, _, payload = done.stdout.partition(b"\r\n\r\n")
                headers = [line.split(": ", 1) for line in head.decode().split("\r\n") if ": " in line]
                status = next((int(v.split()[0]) for k, v in headers if k.lower() == "status"), 200)
                self.send_response(status)
                for name, value in headers:
                    if name.lower() != "status":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _cgi
            do_POST = _cgi

            def log_message(self, *args: object) -> None:
                pass

        # Port 443, so the URL has no port: the engine names the plugin's folder after the
        # URL, and a `:` there would stop Python's venv. A loopback address of its own.
        self.server = http.server.ThreadingHTTPServer((host, 443), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def tagged_repository(root: Path, version: str) -> Path:
    """A repository of this checkout's tracked files (as they are now), tagged v<version>."""
    repository = root / "llmkeyvault" / "pulumi-llmkeyvault.git"
    work = root / "work"
    files = subprocess.run(
        ["git", "ls-files", "-z", "provider", "schema.yaml"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    work.mkdir(parents=True)
    archive = subprocess.run(["tar", "--null", "-T", "-", "-cf", "-"], input=files, cwd=ROOT, capture_output=True)
    subprocess.run(["tar", "-xf", "-"], input=archive.stdout, cwd=work, check=True)
    git = ["git", "-c", "user.name=release", "-c", "user.email=release@example.invalid"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "release"], ["tag", f"v{version}"]):
        subprocess.run([*git, *args], cwd=work, check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(repository)], check=True)
    return repository


def self_signed(folder: Path, host: str) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={host}"),
            *("-addext", f"subjectAltName=IP:{host}", "-keyout", str(key), "-out", str(certificate)),
        ],
        capture_output=True,
        check=True,
    )
    return certificate, key


@pytest.fixture(scope="module")
def added_from_git(engine_ready: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalStack, str, Result]:
    root = tmp_path_factory.mktemp("package-add-git")
    tagged_repository(root / "git", VERSION)
    host = f"127.42.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"
    certificate, key = self_signed(root, host)
    try:
        GitServer(root / "git", host, certificate, key)
    except PermissionError:
        pytest.skip("serving the repository needs port 443 (the engine cannot name a plugin folder after host:port)")
    stack = LocalStack(
        project_source(root / "source"),
        root / "stack",
        built_plugin=False,
        extra_env={"PULUMI_IGNORE_AMBIENT_PLUGINS": "true", "SSL_CERT_FILE": str(certificate)},
    )
    stack.init({"key": KEY})
    url = f"https://{host}/llmkeyvault/pulumi-llmkeyvault.git/provider@v{VERSION}"
    return stack, host, stack.run("package", "add", url, check=False)


def test_package_add_from_a_git_tag(added_from_git: tuple[LocalStack, str, Result]) -> None:
    stack, host, result = added_from_git
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Added package llmkeyvault" in result.stderr
    # Pulumi.yaml names the source: the URL without its scheme, with the tag's version.
    assert stack.definition()["packages"] == {
        "llmkeyvault": f"{host}/llmkeyvault/pulumi-llmkeyvault.git/provider@v{VERSION}"
    }
    # The engine cloned the tag into its plugin folder and made the provider's venv there
    # from the hashed lock.
    folder = stack.home / "plugins" / f"resource-{host}_llmkeyvault_pulumi-llmkeyvault.git_provider-v{VERSION}"
    assert (folder / "provider" / "requirements.txt").read_bytes() == (
        ROOT / "provider" / "requirements.txt"
    ).read_bytes()
    assert (folder / "provider" / "venv" / "bin" / "python").is_file()
    assert KEY not in result.stdout + result.stderr

    stack.up()
    deployed = stack.workspace_dump()
    assert deployed["secrets"][RESOURCE]["openai-api-key"]["valueSha256"] == digest(KEY)
    stack.destroy()
    assert is_empty(stack.workspace_dump())
    assert KEY not in stack.everything_printed(), "the key was printed"
