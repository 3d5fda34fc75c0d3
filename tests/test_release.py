"""Each SDK's release path: the release workflow tags the Go module, every example and
doc names the current version, examples take the unpublished SDK only by a pin or a
path, and one language's artefacts can be built alone (`make dist-<language>`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from devtools.local_stack import ROOT

pytestmark = pytest.mark.unit

VERSION = yaml.safe_load((ROOT / "schema.yaml").read_text(encoding="utf-8"))["version"]
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
DIST_TARGETS = ("dist-plugin", "dist-python", "dist-nodejs", "dist-go", "dist-dotnet", "dist-java")
# Every way a file here names a version of this package: plugin archives and installs,
# the Go module, the npm package, the Python wheel and requirement, the Java artefacts.
VERSIONED = re.compile(
    r"resource llmkeyvault v?(\d+\.\d+\.\d+)"
    r"|pulumi-resource-llmkeyvault-v(\d+\.\d+\.\d+)"
    r"|pulumi-llmkeyvault/sdk/go(?:@| )v(\d+\.\d+\.\d+)"
    r"|\"@llmkeyvault/pulumi\": \"[\^~]?(\d+\.\d+\.\d+)\""
    r"|llmkeyvault-pulumi-(\d+\.\d+\.\d+)\.tgz"
    r"|pulumi[_-]llmkeyvault(?:==|-)(\d+\.\d+\.\d+)"
    r"|pulumi-llmkeyvault-sdk-(?:go|dotnet)-v(\d+\.\d+\.\d+)"
    r"|llmkeyvault-(\d+\.\d+\.\d+)(?:-sources)?\.(?:jar|pom)"
    r"|llmkeyvault@v?(\d+\.\d+\.\d+)"
)


def steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = workflow["jobs"]["release"]["steps"]
    return found


def step(name: str) -> int:
    return next(i for i, s in enumerate(steps()) if s.get("name") == name)


def test_the_release_workflow_tags_the_go_module_after_testing() -> None:
    tagging = steps()[step("Tag the Go SDK module")]
    commands = [line.strip() for line in tagging["run"].splitlines()]
    assert 'git tag "sdk/go/$GITHUB_REF_NAME" "$GITHUB_SHA"' in commands
    assert 'git push origin "refs/tags/sdk/go/$GITHUB_REF_NAME"' in commands
    assert step("Test") < step("Build the release artefacts") < step("Tag the Go SDK module") < step("Release")
    # The release tag is v<version>, so sdk/go/v<version> is the module's version tag; the
    # pushed tag does not start another release.
    # The upgrade test (tests/test_upgrade.py) builds an earlier release from the history.
    assert steps()[0]["uses"].startswith("actions/checkout@") and steps()[0]["with"]["fetch-depth"] == 0
    on = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))[True]  # YAML reads `on:` as true
    assert on == {"push": {"tags": ["v*"]}}


def repository_texts() -> dict[Path, str]:
    """README, docs and every example's files that git tracks."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "README.md", "docs", "examples"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    texts = {}
    for name in listed:
        path = ROOT / name
        if path.suffix in {".png", ".sum"} or not path.is_file():
            continue
        texts[path] = path.read_text(encoding="utf-8")
    return texts


def test_every_example_and_doc_names_the_current_version() -> None:
    texts = repository_texts()
    named = [
        (path.relative_to(ROOT), found)
        for path, text in texts.items()
        for match in VERSIONED.finditer(text)
        for found in match.groups()
        if found is not None
    ]
    assert {found for _, found in named} == {VERSION}, [n for n in named if n[1] != VERSION]
    # Each kind of manifest is among those checked.
    names = {str(path) for path, _ in named}
    assert {"examples/gcp-go/go.mod", "examples/azure-typescript/package.json"} <= names
    assert "examples/aws-python/requirements.txt" in names


def test_examples_take_the_unpublished_sdk_by_pin_or_path() -> None:
    for requirements in (ROOT / "examples").glob("*/requirements.txt"):
        for line in requirements.read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if "llmkeyvault" in line:
                by_path = line.startswith(("./", "../")) and line.endswith(f"-{VERSION}-py3-none-any.whl")
                assert by_path or line.endswith(f"=={VERSION}"), f"{requirements}: {line}"
    for module in (ROOT / "examples").glob("*/go.mod"):
        text = module.read_text(encoding="utf-8")
        if "pulumi-llmkeyvault/sdk/go" in text:
            assert f"pulumi-llmkeyvault/sdk/go v{VERSION}" in text, module


def test_each_languages_artefacts_build_alone_and_are_listed() -> None:
    help_text = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in DIST_TARGETS:
        assert re.search(rf"^make {target}\b", help_text, re.M), target
        assert f"`make {target}`" in readme, target
        # A real target: make knows how to build it (dry run).
        subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, check=True)
