"""A user's repository outside this checkout, built from release artefacts alone.

Only dist/ is copied into a temporary folder. From there, as a user would, the plugin is
installed from its archive (`pulumi plugin install --file`), the Python SDK from its wheel
into a fresh venv, the Node.js SDK from its npm tarball, and the Go SDK as a module through
a `file://` module proxy made from the dist Go module (no `replace` into the checkout). A
small program in each language deploys one vault to the workspace emulator and is
destroyed. The Python, Node.js and Go programs run through the inline drivers of toolchain/drivers/,
which stand in for those languages' hosts (toolchain/README.md); the Node.js and Go drivers
are copied into the user's folders so they load the user's packages.
Needs `make tools emulator examples-deps` (engine_ready) and the package registries.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import dist_copy

from devtools.local_stack import ROOT, LocalStack
from devtools.workspace import digest, is_empty

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KEY = "sk-test-user-repository-0000"
RESOURCE = "userKeys"
VERSION = str(yaml.safe_load((ROOT / "schema.yaml").read_text(encoding="utf-8"))["version"])
GO_MODULE = "github.com/llmkeyvault/pulumi-llmkeyvault/sdk/go"
PULUMI_PYTHON = "pulumi==3.272.0"  # the examples' (mk/examples.mk)


def run(argv: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{argv}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def repository(engine_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("user-repository")
    targets = ("dist-plugin", "dist-python", "dist-nodejs", "dist-go")
    dist_copy(repo / "dist", *targets, ignore=shutil.ignore_patterns("java", "dotnet"))
    return repo


def project(folder: Path, runtime: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text(
        yaml.safe_dump({"name": f"user-{runtime}", "runtime": runtime, "config": {"key": {"type": "string"}}}),
        encoding="utf-8",
    )
    return folder


def deploy(repo: Path, source: Path, root: Path, driver: list[str]) -> None:
    """Install the plugin from its archive into the stack's plugin home, then up and destroy."""
    stack = LocalStack(
        source, root, driver=driver, built_plugin=False, extra_env={"PULUMI_IGNORE_AMBIENT_PLUGINS": "true"}
    )
    archive = repo / "dist" / f"pulumi-resource-llmkeyvault-v{VERSION}-linux-amd64.tar.gz"
    stack.run("plugin", "install", "resource", "llmkeyvault", VERSION, "--file", str(archive))
    stack.init({"key": KEY})
    stack.program_op("up")
    deployed = stack.workspace_dump()
    assert set(deployed["scopes"]) == {RESOURCE}
    assert deployed["secrets"][RESOURCE]["openai-api-key"]["valueSha256"] == digest(KEY)
    # The engine ran the plugin installed from the archive: it made its venv on first start.
    assert (stack.home / "plugins" / f"resource-llmkeyvault-v{VERSION}" / "venv" / "bin" / "python").is_file()
    stack.program_op("destroy")
    assert is_empty(stack.workspace_dump())
    assert KEY not in stack.everything_printed(), "the key was printed"


PYTHON_PROGRAM = f"""\
import pulumi
import pulumi_llmkeyvault as llmkeyvault

config = pulumi.Config()
vault = llmkeyvault.LlmKeyVault(
    "{RESOURCE}",
    providers=[llmkeyvault.ProviderKeyArgs(name="openai", api_key=config.require_secret("key"))],
)
pulumi.export("scopes", vault.scopes)
"""


def test_python_program_from_the_wheel(repository: Path, tmp_path: Path) -> None:
    user = repository / "python"
    program = project(user / "program", "python")
    (program / "__main__.py").write_text(PYTHON_PROGRAM, encoding="utf-8")
    wheel = repository / "dist" / "python" / f"pulumi_llmkeyvault-{VERSION}-py3-none-any.whl"
    run([sys.executable, "-m", "venv", user / "venv"], user)
    python = user / "venv" / "bin" / "python"
    # PyYAML for the stand-in driver; the SDK by its file, so no index is asked for it.
    run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PULUMI_PYTHON, "PyYAML", wheel], user
    )
    installed = run([python, "-c", "import pulumi_llmkeyvault, sys; print(pulumi_llmkeyvault.__file__)"], user)
    assert installed.startswith(str(user / "venv"))
    deploy(repository, program, tmp_path, [str(python), str(ROOT / "toolchain" / "drivers" / "python_inline.py")])


TYPESCRIPT_PROGRAM = f"""\
import * as pulumi from "@pulumi/pulumi";
import * as llmkeyvault from "@llmkeyvault/pulumi";

const config = new pulumi.Config();
const vault = new llmkeyvault.LlmKeyVault("{RESOURCE}", {{
    providers: [{{ name: "openai", apiKey: config.requireSecret("key") }}],
}});
export const scopes = vault.scopes;
"""


def test_typescript_program_from_the_npm_tarball(repository: Path, tmp_path: Path) -> None:
    user = repository / "nodejs"
    program = project(user / "program", "nodejs")
    (program / "index.ts").write_text(TYPESCRIPT_PROGRAM, encoding="utf-8")
    shutil.copy(ROOT / "examples" / "azure-typescript" / "tsconfig.json", program)
    driver_deps = json.loads((ROOT / "toolchain" / "drivers" / "nodejs" / "package.json").read_text(encoding="utf-8"))
    tarball = repository / "dist" / "nodejs" / f"llmkeyvault-pulumi-{VERSION}.tgz"
    package = {
        "name": "user-nodejs",
        "private": True,
        # The driver's own pins of @pulumi/pulumi, TypeScript and @types/node, and the SDK's tarball.
        "dependencies": {**driver_deps.get("dependencies", {}), "@llmkeyvault/pulumi": f"file:{tarball}"},
        "devDependencies": driver_deps.get("devDependencies", {}),
    }
    (user / "package.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], user)
    sdk = json.loads((user / "node_modules" / "@llmkeyvault" / "pulumi" / "package.json").read_text(encoding="utf-8"))
    assert sdk["version"] == VERSION
    # The stand-in driver beside the user's node_modules, so the program and it share them.
    (user / "driver").mkdir()
    shutil.copy(ROOT / "build" / "examples" / "nodejs" / "driver" / "node_inline.js", user / "driver")
    deploy(repository, program, tmp_path, ["node", str(user / "driver" / "node_inline.js")])


GO_PROGRAM = f"""\
package main

import (
	"{GO_MODULE}/llmkeyvault"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {{
	pulumi.Run(program)
}}

func program(ctx *pulumi.Context) error {{
	cfg := config.New(ctx, "")
	vault, err := llmkeyvault.NewLlmKeyVault(ctx, "{RESOURCE}", &llmkeyvault.LlmKeyVaultArgs{{
		Providers: llmkeyvault.ProviderKeyArray{{
			llmkeyvault.ProviderKeyArgs{{Name: pulumi.String("openai"), ApiKey: cfg.RequireSecret("key")}},
		}},
	}})
	if err != nil {{
		return err
	}}
	ctx.Export("scopes", vault.Scopes)
	return nil
}}
"""


def module_proxy(repo: Path) -> Path:
    """A `file://` module proxy (GOPROXY protocol) serving the dist Go module at its version."""
    proxy = repo / "goproxy"
    versions = proxy / GO_MODULE / "@v"
    versions.mkdir(parents=True)
    (archive,) = (repo / "dist" / "go").glob(f"*-v{VERSION}.tar.gz")
    buffer = io.BytesIO()
    with tarfile.open(archive) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as module:
        for member in source.getmembers():
            name = member.name.removeprefix("./")
            if member.isfile() and name.startswith("go/"):
                data = source.extractfile(member).read()  # type: ignore[union-attr]
                module.writestr(f"{GO_MODULE}@v{VERSION}/{name.removeprefix('go/')}", data)
                if name == "go/go.mod":
                    (versions / f"v{VERSION}.mod").write_bytes(data)
    (versions / f"v{VERSION}.zip").write_bytes(buffer.getvalue())
    (versions / f"v{VERSION}.info").write_text(json.dumps({"Version": f"v{VERSION}"}), encoding="utf-8")
    (versions / "list").write_text(f"v{VERSION}\n", encoding="utf-8")
    return proxy


def test_go_program_from_the_module(repository: Path, tmp_path: Path) -> None:
    user = project(repository / "go", "go")
    (user / "main.go").write_text(GO_PROGRAM, encoding="utf-8")
    # The stand-in driver must sit in the program's package (toolchain/README.md).
    shutil.copy(ROOT / "examples" / "gcp-go" / "inline_test.go", user)
    # The example's dependency versions (so the build cache serves them), without its
    # `replace`: the SDK comes from the module proxy, at the release's version.
    example = (ROOT / "examples" / "gcp-go" / "go.mod").read_text(encoding="utf-8")
    example = re.sub(r"(?m)^(//.*\n)*replace .*\n", "", example)
    assert "replace" not in example and f"{GO_MODULE} v{VERSION}" in example
    (user / "go.mod").write_text(
        example.replace("module github.com/llmkeyvault/pulumi-llmkeyvault/examples/gcp-go", "module example.com/user"),
        encoding="utf-8",
    )
    shutil.copy(ROOT / "examples" / "gcp-go" / "go.sum", user)
    proxy = module_proxy(repository)
    env = {
        "GOPROXY": f"file://{proxy},https://proxy.golang.org",
        "GONOSUMDB": GO_MODULE,
        "GOFLAGS": "-mod=mod",
        "GOWORK": "off",
        "CGO_ENABLED": "0",
    }
    run(["go", "mod", "tidy"], user, env)
    resolved = run(["go", "list", "-m", "-f", "{{.Version}} {{.Dir}} {{.Replace}}", GO_MODULE], user, env).split()
    assert resolved[0] == f"v{VERSION}" and not resolved[1].startswith(str(ROOT)) and resolved[2] == "<nil>"
    driver = user / "user-go-inline"
    run(
        [
            "go",
            "test",
            "-c",
            "-trimpath",
            "-tags",
            "inline,osusergo,grpcnotrace",
            "-ldflags",
            "-s -w",
            "-o",
            driver,
            ".",
        ],
        user,
        env,
    )
    deploy(repository, user, tmp_path, [str(driver)])


@pytest.fixture(autouse=True)
def _no_key_in_the_repository(repository: Path) -> Iterator[None]:
    yield
    for path in repository.rglob("*"):
        if (
            path.is_file()
            and path.suffix in {".py", ".ts", ".go", ".json", ".yaml"}
            and "node_modules" not in path.parts
        ):
            assert KEY not in path.read_text(encoding="utf-8", errors="replace"), path
