"""A stand-in for the Pulumi engine: a resource monitor and engine log service.

The provider under test connects to it exactly as it connects to the real
engine during ``Construct``: it registers resources and outputs and writes
logs. The stand-in records every request so tests can compare what was
registered, and answers like a fresh stack (inputs echoed as outputs, a fixed
hex for ``random.RandomId``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
)

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"
RANDOM_HEX = "0a1b2c3d"
FEATURES = {"secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs"}


#: what the engine sends for a value not known yet (in a preview)
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def secret(value: Any) -> dict[str, Any]:
    """A value wrapped as the engine wraps secrets on the wire."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def from_wire(value: Any, as_secret: Callable[[Any], Any] = lambda v: v) -> Any:
    """Inputs as the engine sends them, as a program would pass them: each secret through ``as_secret``."""
    if is_secret(value):
        return as_secret(from_wire(value["value"], as_secret))
    if isinstance(value, dict):
        return {k: from_wire(v, as_secret) for k, v in value.items()}
    if isinstance(value, list):
        return [from_wire(v, as_secret) for v in value]
    return value


@dataclass
class Registration:
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    delete_before_replace: bool
    version: str
    additional_secret_outputs: list[str]
    urn: str
    provider: str = ""
    import_id: str = ""
    #: the names of the aliases given (each an alias spec with a name)
    aliases: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    retain_on_delete: bool = False


def to_registration(request: Any, urn: str) -> Registration:
    """What a RegisterResource request asked for, in comparable form."""
    return Registration(
        type=request.type,
        name=request.name,
        parent=request.parent,
        custom=request.custom,
        inputs=json_format.MessageToDict(request.object),
        dependencies=sorted(request.dependencies),
        delete_before_replace=request.deleteBeforeReplace,
        version=request.version,
        additional_secret_outputs=sorted(request.additionalSecretOutputs),
        urn=urn,
        provider=request.provider,
        import_id=request.importId,
        aliases=[a.spec.name if a.HasField("spec") else a.urn for a in request.aliases],
        ignore_changes=list(request.ignoreChanges),
        retain_on_delete=request.retainOnDelete,
    )


@dataclass
class Recorder:
    registrations: list[Registration] = field(default_factory=list)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)
    invokes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Monitor(resource_pb2_grpc.ResourceMonitorServicer):
    def __init__(self, recorder: Recorder, project: str, stack: str) -> None:
        self.recorder = recorder
        self.project = project
        self.stack = stack

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:
        # Like an older engine: the SDK then asks SupportsFeature, one feature at a time.
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "GetDeploymentInfo")

    def SupportsFeature(self, request: Any, context: Any) -> Any:
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id in FEATURES)

    def RegisterResource(self, request: Any, context: Any) -> Any:
        parent_type = ""
        if request.parent:
            parent_type = request.parent.split("::")[2] + "$"
        urn = f"urn:pulumi:{self.stack}::{self.project}::{parent_type}{request.type}::{request.name}"
        registration = to_registration(request, urn)
        with self.recorder.lock:
            self.recorder.registrations.append(registration)
        outputs = dict(registration.inputs)
        if request.type == "random:index/randomId:RandomId":
            outputs["hex"] = RANDOM_HEX
        state = struct_pb2.Struct()
        state.update(outputs)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=f"{request.name}-id" if request.custom else "", object=state
        )

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:
        with self.recorder.lock:
            self.recorder.outputs[request.urn] = json_format.MessageToDict(request.outputs)
        return empty_pb2.Empty()

    def Invoke(self, request: Any, context: Any) -> Any:
        # Like Pulumi's mocks: every data source answers with nothing (no current user, any secret exists).
        with self.recorder.lock:
            self.recorder.invokes.append(request.tok)
        response = resource_pb2.ResourceInvokeResponse()
        getattr(response, "return").CopyFrom(struct_pb2.Struct())
        return response


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.root = ""

    def Log(self, request: Any, context: Any) -> Any:
        with self.recorder.lock:
            self.recorder.logs.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request: Any, context: Any) -> Any:
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()


@dataclass
class StandinEngine:
    address: str
    recorder: Recorder
    project: str = "proj"
    stack: str = "dev"

    def construct_request(
        self, name: str, inputs: dict[str, Any], *, dry_run: bool = False, config: dict[str, str] | None = None
    ) -> Any:
        """``config`` is the stack's configuration, which the engine passes to every Construct."""
        struct = struct_pb2.Struct()
        struct.update(inputs)
        return provider_pb2.ConstructRequest(
            project=self.project,
            stack=self.stack,
            monitorEndpoint=self.address,
            dryRun=dry_run,
            parallel=16,
            type="llmkeyvault:index:LlmKeyVault",
            name=name,
            inputs=struct,
            config=config or {},
        )


@contextmanager
def standin_engine(project: str = "proj", stack: str = "dev") -> Iterator[StandinEngine]:
    """Serve a monitor and engine on one loopback port for the duration."""
    recorder = Recorder()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_Monitor(recorder, project, stack), server)
    engine_pb2_grpc.add_EngineServicer_to_server(_Engine(recorder), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield StandinEngine(f"127.0.0.1:{port}", recorder, project, stack)
    finally:
        server.stop(grace=None)


@dataclass
class ProviderProcess:
    process: subprocess.Popen[bytes]
    stub: Any
    channel: grpc.Channel


@contextmanager
def provider_process(engine_address: str) -> Iterator[ProviderProcess]:
    """Start ``python -m llmkeyvault_provider`` as the engine does and connect to it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "llmkeyvault_provider", engine_address],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        yield ProviderProcess(process, stub, channel)
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
