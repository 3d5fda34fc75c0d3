# mypy: disallow-untyped-calls=False, disallow-untyped-decorators=False
# (Pulumi's mock monitor and @pulumi.runtime.test are untyped.)
"""Running the in-process component under Pulumi's mocks, recording exactly
what it registers (the raw requests, so options such as delete-before-replace
and versions are visible, not only inputs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from llmkeyvault_provider import usage
from pulumi.runtime import mocks as pulumi_mocks

from .standin_engine import RANDOM_HEX, Registration, to_registration

#: a data source's answer: its result, or its result and failures ``(property, reason)``
Answer = Callable[[dict[str, Any]], "dict[str, Any] | tuple[dict[str, Any], list[tuple[str, str]]]"]


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self, answers: Mapping[str, Answer]) -> None:
        self.answers = answers

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ == "random:index/randomId:RandomId":
            outputs["hex"] = RANDOM_HEX
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        answer = self.answers.get(args.token)
        result = answer(dict(args.args)) if answer is not None else {}
        return result if isinstance(result, tuple) else (result, [])


@dataclass
class Run:
    registrations: list[Registration] = field(default_factory=list)
    registered_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def named(self, name: str) -> Registration:
        (found,) = [r for r in self.registrations if r.name == name]
        return found


@contextmanager
def _recording(run: Run) -> Iterator[None]:
    monitor = pulumi_mocks.MockMonitor
    register, register_outputs = monitor.RegisterResource, monitor.RegisterResourceOutputs

    def recording_register(self: Any, request: Any) -> Any:
        response = register(self, request)
        run.registrations.append(to_registration(request, response.urn))
        return response

    def recording_outputs(self: Any, request: Any) -> Any:
        run.registered_outputs[request.urn] = json_format.MessageToDict(request.outputs)
        return register_outputs(self, request)

    monitor.RegisterResource = recording_register  # type: ignore[method-assign]
    monitor.RegisterResourceOutputs = recording_outputs  # type: ignore[method-assign]
    try:
        yield
    finally:
        monitor.RegisterResource = register  # type: ignore[method-assign]
        monitor.RegisterResourceOutputs = register_outputs  # type: ignore[method-assign]


def run_with_mocks(
    build: Callable[[], Any],
    *,
    preview: bool = False,
    run: Run | None = None,
    answers: Mapping[str, Answer] | None = None,
    reader: Callable[[Mapping[str, str]], usage.GrantsReader] | None = None,
) -> Run:
    """Build a component under mocks; return what was registered and its resolved outputs.

    ``build`` returns a component (whose ``outputs`` dict is resolved) or any Output.
    Pass ``run`` to keep what was registered when the program fails. ``answers``
    maps a data source's token to its answer (failures in it are the invoke's
    error); every other invoke answers with nothing, as Pulumi's mocks do. ``reader``
    makes what reads the grants a usage grant keeps (``usage.make_reader``); by default
    a workspace in which nobody holds anything.
    """
    run = Run() if run is None else run
    pulumi.runtime.set_mocks(_Mocks(answers or {}), project="proj", stack="dev", preview=preview)

    @pulumi.runtime.test
    def program() -> Any:
        built = build()
        if isinstance(built, pulumi.Output):
            return built
        return pulumi.Output.all(**built.outputs).apply(run.outputs.update)

    with _recording(run), _reading(reader or empty_workspace):
        program()
    return run


def empty_workspace(settings: Mapping[str, str]) -> usage.GrantsReader:
    """A workspace in which nobody holds anything on any catalog or schema."""
    return lambda securable, full_name: []


@contextmanager
def _reading(reader: Callable[[Mapping[str, str]], usage.GrantsReader]) -> Iterator[None]:
    saved = usage.make_reader
    usage.make_reader = reader
    try:
        yield
    finally:
        usage.make_reader = saved
