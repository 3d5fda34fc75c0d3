"""The parts of the docs that restate ``schema.yaml``, written from it (``make docs``).

The README's input and output tables and the API summary of docs/sdks.md lie
between marker comments; this module rewrites what is between them, so every
input, output, field and enum value of the schema is documented as the schema
says it. ``--check`` writes nothing and fails when a generated part is stale.
Each table gives the first sentence of the schema's description; the schema
(and each SDK's doc comments, generated from it) holds the rest.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schema.yaml"
README = ROOT / "README.md"
SDKS = ROOT / "docs" / "sdks.md"
COMPONENT = "llmkeyvault:index:LlmKeyVault"
TYPE_REF = "#/types/"


def load(path: Path = SCHEMA) -> dict[str, Any]:
    schema: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return schema


def begin_marker(block: str) -> str:
    return f"<!-- BEGIN {block}: generated from schema.yaml by `make docs`; edit the schema, not this -->"


def end_marker(block: str) -> str:
    return f"<!-- END {block} -->"


# ---------------------------------------------------------------------------- reading the schema


def type_name(token: str) -> str:
    """``llmkeyvault:index:ProviderKey`` -> ``ProviderKey``."""
    return token.rsplit(":", 1)[-1]


def referenced(prop: Mapping[str, Any]) -> str | None:
    """The type token a property refers to, through lists and maps; None for plain values."""
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith(TYPE_REF):
        return ref[len(TYPE_REF) :]
    for inner in ("items", "additionalProperties"):
        if isinstance(prop.get(inner), Mapping):
            return referenced(prop[inner])
    return None


def shape(prop: Mapping[str, Any]) -> str:
    """A property's type in words: ``list of ProviderKey``, ``map of string``."""
    ref = prop.get("$ref")
    if isinstance(ref, str):
        return f"`{type_name(ref[len(TYPE_REF) :])}`" if ref.startswith(TYPE_REF) else "any"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {shape(prop['items'])}"
    if kind == "object" and isinstance(prop.get("additionalProperties"), Mapping):
        return f"map of {shape(prop['additionalProperties'])}"
    return str(kind)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")


def first_sentence(description: str) -> str:
    text = " ".join(description.split())
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def default_of(name: str, prop: Mapping[str, Any], required: list[str]) -> str:
    if name in required:
        return "required"
    if "default" in prop:
        value = prop["default"]
        return f"`{str(value).lower() if isinstance(value, bool) else value}`"
    return "optional"


@dataclass(frozen=True)
class Api:
    """What the docs restate: the component's inputs and outputs and the types they use."""

    schema: dict[str, Any]

    @property
    def component(self) -> dict[str, Any]:
        resource: dict[str, Any] = self.schema["resources"][COMPONENT]
        return resource

    @property
    def inputs(self) -> dict[str, Any]:
        inputs: dict[str, Any] = self.component.get("inputProperties", {})
        return inputs

    @property
    def outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = self.component.get("properties", {})
        return outputs

    def types_used_by(self, props: Mapping[str, Any]) -> list[str]:
        """Type tokens reachable from ``props``, in the order first met."""
        found: list[str] = []

        def visit(ps: Mapping[str, Any]) -> None:
            for prop in ps.values():
                token = referenced(prop)
                if token is not None and token not in found and token in self.schema.get("types", {}):
                    found.append(token)
                    visit(self.schema["types"][token].get("properties", {}))

        visit(props)
        return found

    def names(self) -> Iterator[tuple[str, str]]:
        """Every name the docs must show: (where, name) for inputs, outputs, fields and enum values."""
        for name in self.inputs:
            yield "input", name
        for name in self.outputs:
            yield "output", name
        for token, spec in self.schema.get("types", {}).items():
            for name in spec.get("properties", {}):
                yield f"field of {type_name(token)}", name
            for value in spec.get("enum", []):
                yield f"value of {type_name(token)}", str(value["value"])


# ---------------------------------------------------------------------------- rendering


def _table(heading: str, props: Mapping[str, Any], required: list[str], with_default: bool) -> list[str]:
    columns = [heading, "type", *(["default"] if with_default else []), "meaning"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for name, prop in props.items():
        row = [f"`{name}`", shape(prop)]
        if with_default:
            row.append(default_of(name, prop, required))
        row.append(cell(first_sentence(prop.get("description", ""))))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _type_section(api: Api, token: str) -> list[str]:
    spec = api.schema["types"][token]
    name = type_name(token)
    if "enum" in spec:
        values = ", ".join(f"`{v['value']}`" for v in spec["enum"])
        return [f"`{name}`, one of {values}: {cell(first_sentence(spec.get('description', '')))}"]
    lines = [f"`{name}`: {cell(first_sentence(spec.get('description', '')))}", ""]
    return lines + _table("field", spec.get("properties", {}), spec.get("required", []), with_default=True)


def render_inputs(api: Api) -> str:
    lines = _table("input", api.inputs, api.component.get("requiredInputs", []), with_default=True)
    for token in api.types_used_by(api.inputs):
        lines += ["", *_type_section(api, token)]
    return "\n".join(lines)


def render_outputs(api: Api) -> str:
    lines = _table("output", api.outputs, [], with_default=False)
    for token in api.types_used_by(api.outputs):
        lines += ["", *_type_section(api, token)]
    return "\n".join(lines)


def _listed(api: Api, props: Mapping[str, Any], required: list[str]) -> str:
    parts = []
    for name, prop in props.items():
        part = f"`{name}`" if name in required or not required else f"optional `{name}`"
        token = referenced(prop)
        if token is not None:
            spec = api.schema["types"][token]
            if "enum" in spec:
                values = ", ".join(f"`{v['value']}`" for v in spec["enum"])
                part += f" (`{type_name(token)}` enum: {values})"
            else:
                kind = "a list of " if prop.get("type") == "array" else ""
                fields = _listed(api, spec.get("properties", {}), spec.get("required", []))
                part += f" ({kind}`{type_name(token)}`: {fields})"
        parts.append(part)
    return ", ".join(parts)


def render_summary(api: Api) -> str:
    text = (
        f"Every SDK exposes the same component, `LlmKeyVault` (`{COMPONENT}`), with the inputs of "
        f"`schema.yaml`: {_listed(api, api.inputs, [])}; and the outputs {_listed(api, api.outputs, [])}. "
        "The [README](../README.md#inputs-and-outputs) has a table of each, with defaults."
    )
    return "\n".join(_wrap(text, 92))


def _wrap(text: str, width: int) -> Iterator[str]:
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            yield line
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        yield line


def blocks(api: Api) -> dict[Path, dict[str, str]]:
    """Each file's generated blocks, by block name."""
    return {
        README: {"inputs": render_inputs(api), "outputs": render_outputs(api)},
        SDKS: {"api-summary": render_summary(api)},
    }


# ---------------------------------------------------------------------------- writing between the markers


class MarkerError(Exception):
    pass


def replaced(text: str, block: str, body: str, where: str) -> str:
    begin, end = begin_marker(block), end_marker(block)
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise MarkerError(f"{where}: expected one '{begin}' followed by one '{end}'")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def generated(path: Path, texts: Mapping[str, str], text: str | None = None) -> str:
    """``path``'s text with its blocks as ``texts`` has them."""
    current = path.read_text(encoding="utf-8") if text is None else text
    for block, body in texts.items():
        current = replaced(current, block, body, str(path.relative_to(ROOT)))
    return current


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; fail when a generated part is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, texts in blocks(Api(load())).items():
        new = generated(path, texts)
        if new != path.read_text(encoding="utf-8"):
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.write_text(new, encoding="utf-8")
    if args.check and stale:
        print(f"stale (run `make docs`): {', '.join(stale)}", file=sys.stderr)
        return 1
    for name in stale:
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
