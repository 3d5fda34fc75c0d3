"""The generated SDKs in sdk/: current with schema.yaml, versioned by it, and usable
from each language. Every test builds what it needs through the make targets of
mk/sdk.mk and works under build/sdk-test/ (the release artefacts from dist/, copied
there, as every test that installs them does); npm, Go and pip downloads stay in their
default caches, so a second run is fast."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from conftest import build_lock, dist_copy

pytestmark = [pytest.mark.sdk, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SDK = ROOT / "sdk"
PROGRAMS = ROOT / "tests" / "sdk"
WORK = ROOT / "build" / "sdk-test"
LANGUAGES = ("python", "nodejs", "go", "dotnet")


def csproj() -> Path:
    (project,) = (SDK / "dotnet").glob("*.csproj")
    return project


def run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [str(a) for a in args]
    result = subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(argv)} failed with {result.returncode}\n"
        f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
    )
    return result


def make(*targets: str, **variables: str | Path) -> subprocess.CompletedProcess[str]:
    with build_lock():
        return run("make", "--no-print-directory", *targets, *(f"{k}={v}" for k, v in variables.items()))


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def committed_tree(root: Path) -> dict[str, bytes]:
    """The files under root that git tracks or would track (ignored build output left out)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", root).stdout
    files = {(ROOT / name).resolve() for name in listed.split("\0") if name}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(files) if p.is_file()}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    with (ROOT / "schema.yaml").open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.safe_load(f)
    return loaded


# --------------------------------------------------------------------------- all


def test_generated_sdks_are_current() -> None:
    """Regenerating from schema.yaml into a scratch folder gives sdk/ byte for byte."""
    out = fresh(WORK / "regenerated")
    make("gen-sdk", SDK_OUT=out)
    problems = []
    for language in LANGUAGES:
        committed, regenerated = committed_tree(SDK / language), tree(out / language)
        assert regenerated, f"gen-sdk wrote nothing for {language}"
        for name in sorted(committed.keys() - regenerated.keys()):
            problems.append(f"sdk/{language}/{name}: not generated any more")
        for name in sorted(regenerated.keys() - committed.keys()):
            problems.append(f"sdk/{language}/{name}: generated but missing")
        for name in sorted(committed.keys() & regenerated.keys()):
            if committed[name] != regenerated[name]:
                problems.append(f"sdk/{language}/{name}: differs")
    assert not problems, "sdk/ is not what schema.yaml generates; run `make gen-sdk`:\n" + "\n".join(problems)


def test_version_flows_into_every_sdk(schema: dict[str, Any]) -> None:
    version = str(schema["version"])
    printed = run("make", "--no-print-directory", "-s", "--eval=print-version: ; @echo $(VERSION)", "print-version")
    assert printed.stdout.strip() == version, "the Makefile's VERSION is not schema.yaml's version"

    pyproject = (SDK / "python" / "pyproject.toml").read_text(encoding="utf-8")
    package_json = json.loads((SDK / "nodejs" / "package.json").read_text(encoding="utf-8"))
    csproj_version = ET.parse(csproj()).getroot().findtext("./PropertyGroup/Version")
    found = {
        "sdk/python/pyproject.toml": re.findall(r'^\s*version = "([^"]+)"', pyproject, re.M)[0],
        "sdk/nodejs/package.json": package_json["version"],
        "sdk/nodejs/package.json pulumi.version": package_json["pulumi"]["version"],
        "sdk/dotnet/*.csproj": csproj_version,
        "sdk/dotnet/version.txt": (SDK / "dotnet" / "version.txt").read_text(encoding="utf-8").strip(),
    }
    for plugin_json in sorted(SDK.glob("*/**/pulumi-plugin.json")):
        found[str(plugin_json.relative_to(ROOT))] = json.loads(plugin_json.read_text(encoding="utf-8"))["version"]
    utilities = (SDK / "go" / "llmkeyvault" / "internal" / "pulumiUtilities.go").read_text(encoding="utf-8")
    found["sdk/go default resource option"] = re.findall(r'semver\.MustParse\("([^"]+)"\)', utilities)[0]
    assert len(found) >= 9
    assert found == dict.fromkeys(found, version)


# --------------------------------------------------------------------------- Python


@pytest.fixture(scope="module")
def dist() -> Path:
    """A copy of dist/ with the SDKs' release artefacts (`make dist-sdk-<language>`)."""
    targets = ("dist-sdk-python", "dist-sdk-nodejs", "dist-sdk-go", "dist-sdk-dotnet")
    dest = WORK / "release"
    shutil.rmtree(dest, ignore_errors=True)
    return dist_copy(dest, *targets, ignore=shutil.ignore_patterns("pulumi-resource-llmkeyvault-*", "java"))


@pytest.fixture(scope="module")
def python_sdk(dist: Path) -> Path:
    """A fresh virtual environment with the SDK's wheel (from `make dist-sdk-python`)
    and its dependencies installed; the Python of that environment."""
    (wheel,) = (dist / "python").glob("pulumi_llmkeyvault-*.whl")
    assert list((dist / "python").glob("pulumi_llmkeyvault-*.tar.gz")), "no sdist"

    venv = fresh(WORK / "python") / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    # The Pulumi SDK at the version the project develops against (and pip has cached).
    constraints = WORK / "python" / "constraints.txt"
    constraints.write_text(f"pulumi=={metadata.version('pulumi')}\n", encoding="utf-8")
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--constraint", constraints, wheel)
    return python


def test_python_sdk_installs_and_imports(python_sdk: Path) -> None:
    probe = run(
        python_sdk,
        "-c",
        "import pulumi_llmkeyvault as m; print(m.__file__); print(m.LlmKeyVault.__name__, m.ProviderKeyArgs.__name__)",
        cwd=WORK,
    )
    location, names = probe.stdout.splitlines()
    assert Path(location).is_relative_to(python_sdk.parent.parent)
    assert names == "LlmKeyVault ProviderKeyArgs"


def mypy(python: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    config = WORK / "python" / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n", encoding="utf-8")
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("mypy")),
            "--config-file",
            str(config),
            "--python-executable",
            str(python),
            "--cache-dir",
            str(WORK / "python" / "mypy-cache"),
            *map(str, files),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_python_program_type_checks(python_sdk: Path) -> None:
    """tests/sdk/python/program.py passes mypy --strict against the installed SDK, and
    every misuse in type_errors.py is reported on its line."""
    good = mypy(python_sdk, PROGRAMS / "python" / "program.py")
    assert good.returncode == 0, good.stdout + good.stderr

    bad_file = PROGRAMS / "python" / "type_errors.py"
    bad = mypy(python_sdk, bad_file)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    reported = {int(m) for m in re.findall(r"^tests/sdk/python/type_errors\.py:(\d+): error:", bad.stdout, re.M)}
    marked = {n for n, line in enumerate(bad_file.read_text().splitlines(), 1) if "# type error:" in line}
    assert marked and reported == marked, bad.stdout


def test_python_sdk_secret_api_key(python_sdk: Path) -> None:
    """How `apiKey` (`secret: true` on a property of the ProviderKey object type)
    reaches the engine, seen under Pulumi mocks in the RegisterResource request of
    the remote component (tests/sdk/python/check_secrets.py).

    The Python code generator wraps only the component's top-level `secret: true`
    inputs in `pulumi.Output.secret`; a secret property of a nested object type is
    passed as given. So: a secret value stays secret in place (the list and the
    other fields stay plain), and a plain string goes over the wire plain; the
    provider then wraps every key as a secret itself before any child sees it."""
    report = json.loads(run(python_sdk, PROGRAMS / "python" / "check_secrets.py", cwd=WORK).stdout)
    assert report == {
        "llm-keys": {
            "remote": True,
            "providers_list": "plain",
            "apiKey": {"openai": "secret", "anthropic": "plain"},
        },
        "team-keys": {"remote": True, "providers_list": "plain", "apiKey": {"openai": "secret"}},
    }


# --------------------------------------------------------------------------- Node.js


def test_nodejs_sdk(schema: dict[str, Any], dist: Path) -> None:
    """The SDK's own build (npm install, tsc) and npm pack succeed, the tarball holds
    JavaScript and declarations, and a TypeScript program type-checks against it."""
    (tarball,) = (dist / "nodejs").glob("*.tgz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        package_json = tar.extractfile("package/package.json")
        assert package_json is not None
        packed = json.load(package_json)
    for name in ("index.js", "index.d.ts", "llmKeyVault.js", "llmKeyVault.d.ts", "types/input.d.ts", "utilities.js"):
        assert f"package/{name}" in names
    assert packed["name"] == schema["language"]["nodejs"]["packageName"]
    assert packed["version"] == str(schema["version"])

    program = WORK / "nodejs"
    shutil.rmtree(program, ignore_errors=True)
    shutil.copytree(PROGRAMS / "nodejs", program)
    run("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--no-save", tarball, cwd=program)
    run(program / "node_modules" / ".bin" / "tsc", "--noEmit", "-p", program, cwd=program)
    loaded = run(
        "node",
        "-e",
        f"const m = require({json.dumps(packed['name'])});"
        f"const u = require({json.dumps(packed['name'] + '/utilities')});"
        "console.log(typeof m.LlmKeyVault, m.Backend.AzureKeyVault, u.getVersion());",
        cwd=program,
    )
    assert loaded.stdout.split() == ["function", "azure-keyvault", str(schema["version"])]


# --------------------------------------------------------------------------- Go


def test_go_sdk(schema: dict[str, Any], dist: Path) -> None:
    """sdk/go is a Go module; a program using it (tests/sdk/go, with a replace to
    ../../../sdk/go) builds, and it and the SDK package pass go vet."""
    import_base = schema["language"]["go"]["importBasePath"]
    go_mod = (SDK / "go" / "go.mod").read_text(encoding="utf-8")
    assert f"module {PurePosixPath(import_base).parent}\n" in go_mod

    out = fresh(WORK / "go")
    env = {"CGO_ENABLED": "0"}
    flags = ["-trimpath", "-tags", "osusergo,grpcnotrace"]
    run("go", "-C", PROGRAMS / "go", "build", *flags, "-o", out / "program", ".", env=env)
    run("go", "-C", PROGRAMS / "go", "vet", "-tags", "osusergo,grpcnotrace", "./...", f"{import_base}/...", env=env)
    assert (out / "program").stat().st_size > 0

    (archive,) = (dist / "go").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        archived = {m.name.removeprefix("go/") for m in tar.getmembers() if m.isfile()}
    assert archived == set(committed_tree(SDK / "go"))


# --------------------------------------------------------------------------- C#


def test_csharp_sdk(schema: dict[str, Any], dist: Path) -> None:
    """The C# project is generated and well formed: the .csproj parses as XML and
    names the package (its id is the project file's name, no PackageId overrides it)
    and the schema's version, and ProviderKeyArgs wraps ApiKey as a secret.

    It is not compiled: `dotnet build` needs the Pulumi package from NuGet, which
    this machine cannot reach (and no .NET SDK is installed)."""
    project = csproj()
    root = ET.parse(project).getroot()
    assert root.tag == "Project"
    assert root.get("Sdk") == "Microsoft.NET.Sdk"
    properties = {child.tag: (child.text or "") for group in root.iter("PropertyGroup") for child in group}
    assert properties["Version"] == str(schema["version"])
    assert "PackageId" not in properties and "AssemblyName" not in properties
    package_id = project.stem
    assert package_id.split(".")[0] == schema["language"]["csharp"]["rootNamespace"]
    references = {ref.get("Include"): ref.get("Version") for ref in root.iter("PackageReference")}
    assert references["Pulumi"] == schema["language"]["csharp"]["packageReferences"]["Pulumi"]
    assert properties["PackageLicenseExpression"] == schema["license"]

    for source in sorted((SDK / "dotnet").rglob("*.cs")):
        assert f"namespace {package_id}" in source.read_text(encoding="utf-8"), source
    provider_key = (SDK / "dotnet" / "Inputs" / "ProviderKeyArgs.cs").read_text(encoding="utf-8")
    setter = re.search(r"public Input<string>\? ApiKey\s*\{.*?\n        \}", provider_key, re.S)
    assert setter and "Output.CreateSecret(0)" in setter.group(0), "ApiKey is not wrapped as a secret"

    (archive,) = (dist / "dotnet").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        archived = {m.name.removeprefix("dotnet/") for m in tar.getmembers() if m.isfile()}
    assert archived == set(committed_tree(SDK / "dotnet"))


def test_csharp_root_namespace_is_not_a_type_name() -> None:
    """Were the root namespace named like a type (say `LlmKeyVault`), C# would
    resolve `LlmKeyVault.Vault.Backend` inside the generated namespace to the class
    first (error CS0426), and `new LlmKeyVault(...)` after a `using` of the
    namespace would fail (CS0118): no type may share the root namespace's name."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted((SDK / "dotnet").rglob("*.cs")))
    roots = {name.split(".")[0] for name in re.findall(r"^namespace ([\w.]+)", sources, re.M)}
    types = set(re.findall(r"\b(?:class|struct|enum|interface|record) (\w+)", sources))
    assert len(roots) == 1
    assert not roots & types, f"root namespace {roots} is also the name of a type"
