"""The docs that restate schema.yaml: the README's input and output tables and the API summary
of docs/sdks.md are written from the schema by `make docs` (devtools/docs.py), hold every
input, output, field and enum value, and are current."""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from devtools import docs

pytestmark = pytest.mark.unit


def generated_parts(path: Path, text: str | None = None) -> str:
    """What lies between the file's generated-block markers."""
    text = path.read_text(encoding="utf-8") if text is None else text
    parts = []
    for block in docs.blocks(docs.Api(docs.load()))[path]:
        start = text.index(docs.begin_marker(block)) + len(docs.begin_marker(block))
        parts.append(text[start : text.index(docs.end_marker(block), start)])
    return "\n".join(parts)


def undocumented(api: docs.Api, text: str) -> list[str]:
    return [f"{where} {name}" for where, name in api.names() if f"`{name}`" not in text]


@pytest.mark.parametrize("path", [docs.README, docs.SDKS], ids=lambda p: p.name)
def test_every_input_output_field_and_value_of_the_schema_is_documented(path: Path) -> None:
    assert undocumented(docs.Api(docs.load()), generated_parts(path)) == []


@pytest.mark.parametrize("path", [docs.README, docs.SDKS], ids=lambda p: p.name)
def test_the_generated_parts_are_current(path: Path) -> None:
    texts = docs.blocks(docs.Api(docs.load()))[path]
    assert docs.generated(path, texts) == path.read_text(encoding="utf-8"), "stale: run `make docs`"
    assert docs.main(["--check"]) == 0


def grown(schema: dict[str, object]) -> docs.Api:
    """The schema with one more input, output and ProviderKey field, as a change to it would add."""
    bigger = copy.deepcopy(schema)
    component = bigger["resources"][docs.COMPONENT]  # type: ignore[index]
    component["inputProperties"]["rotationOwner"] = {"type": "string", "description": "Who rotates."}
    component["properties"]["rotatedAt"] = {"type": "string", "description": "When it was rotated."}
    provider_key = bigger["types"]["llmkeyvault:index:ProviderKey"]  # type: ignore[index]
    provider_key["properties"]["owner"] = {"type": "string", "description": "Who owns the key."}
    backend = bigger["types"]["llmkeyvault:index:Backend"]  # type: ignore[index]
    backend["enum"].append({"name": "Elsewhere", "value": "elsewhere"})
    return docs.Api(bigger)


@pytest.mark.parametrize("path", [docs.README, docs.SDKS], ids=lambda p: p.name)
def test_a_schema_change_the_docs_lack_is_caught_and_make_docs_adds_it(path: Path) -> None:
    api = grown(docs.load())
    new = {"input rotationOwner", "output rotatedAt", "field of ProviderKey owner", "value of Backend elsewhere"}
    assert set(undocumented(api, generated_parts(path))) == new
    texts = docs.blocks(api)[path]
    rewritten = docs.generated(path, texts)
    assert rewritten != path.read_text(encoding="utf-8"), "the staleness check would fail"
    assert undocumented(api, generated_parts(path, rewritten)) == []


def test_the_tables_give_type_default_and_first_sentence() -> None:
    inputs = docs.render_inputs(docs.Api(docs.load()))
    assert "| `providers` | list of `ProviderKey` | required | One entry per LLM provider" in inputs
    assert "| `rotationWarningDays` | integer | `14` |" in inputs
    assert "| `allowWorkspaceUsers` | boolean | `false` |" in inputs
    assert "| `secretKey` | string | optional | Key name inside the scope; default `<name>-api-key`. |" in inputs
    outputs = docs.render_outputs(docs.Api(docs.load()))
    assert "| `externalModels` | map of map of any |" in outputs


def test_a_file_without_its_markers_is_refused() -> None:
    with pytest.raises(docs.MarkerError, match="BEGIN inputs"):
        docs.replaced("no markers here", "inputs", "body", "README.md")
    twice = f"{docs.begin_marker('inputs')}\n{docs.end_marker('inputs')}\n" * 2
    with pytest.raises(docs.MarkerError):
        docs.replaced(twice, "inputs", "body", "README.md")


# The README's "Layout" table: every top-level folder git tracks has a row (a row names the
# folder or a path inside it), and every path a row names is tracked.


def layout_paths(readme: str) -> list[str]:
    """The paths named in the first column of the README's Layout table."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "the README has no Layout table"
    return [path for row in rows for path in re.findall(r"`([^`]+)`", row.split("|")[1])]


def tracked_files() -> list[str]:
    done = subprocess.run(["git", "ls-files", "-z"], cwd=docs.ROOT, capture_output=True, check=True)
    return [path for path in done.stdout.decode("utf-8").split("\0") if path]


def layout_problems(paths: list[str], files: list[str]) -> list[str]:
    """What the Layout table lacks or names wrongly, given the tracked files."""
    folders_in = {f"{folder}/" for f in files for folder in map(str, PurePosixPath(f).parents) if folder != "."}
    tracked = set(files) | folders_in
    problems = [f"`{path}` is in the Layout table but not in the repository" for path in paths if path not in tracked]
    named = {path.split("/", 1)[0] for path in paths}
    folders = sorted({f.split("/", 1)[0] for f in files if "/" in f})
    problems += [f"`{folder}/` has no row in the Layout table" for folder in folders if folder not in named]
    return problems


@pytest.fixture(scope="module")
def layout() -> tuple[list[str], list[str]]:
    if not (docs.ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked tree is unknown")
    return layout_paths(docs.README.read_text(encoding="utf-8")), tracked_files()


def test_the_layout_table_names_every_top_level_folder_and_only_paths_that_exist(
    layout: tuple[list[str], list[str]],
) -> None:
    paths, files = layout
    assert "emulator/" in paths and "toolchain/" in paths
    assert layout_problems(paths, files) == []


def test_a_folder_added_or_removed_without_the_layout_table_is_caught(layout: tuple[list[str], list[str]]) -> None:
    paths, files = layout
    added = [*files, "newroom/thing.py"]
    assert layout_problems(paths, added) == ["`newroom/` has no row in the Layout table"]
    removed = [f for f in files if not f.startswith("bench/")]
    assert layout_problems(paths, removed) == ["`bench/` is in the Layout table but not in the repository"]
    assert layout_problems([*paths, "tools/"], files) == ["`tools/` is in the Layout table but not in the repository"]
