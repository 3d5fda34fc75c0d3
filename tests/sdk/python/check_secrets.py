"""Runs program.py under Pulumi mocks and reports how ``apiKey`` reaches the engine.

Run with the Python of a virtual environment that has the generated SDK installed.
A recording monitor keeps the raw protobuf inputs of every RegisterResource call,
before the mocks decode them (decoding drops the secret markers). Prints one JSON
object: for the remote component of each vault, the wire form of each provider's
``apiKey`` (``"secret"`` when wrapped in the secret signature, else ``"plain"``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks

sys.path.insert(0, str(Path(__file__).parent))

import program

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
VAULT_TYPE = "llmkeyvault:index:LlmKeyVault"


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return f"{args.name}-id", {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class RecordingMonitor(mocks.MockMonitor):
    def __init__(self, mocks_: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks_)
        self.registrations: list[dict[str, Any]] = []

    def RegisterResource(self, request: Any) -> Any:
        self.registrations.append(
            {
                "type": request.type,
                "name": request.name,
                "remote": request.remote,
                "object": json_format.MessageToDict(request.object),
            }
        )
        return super().RegisterResource(request)


def wire_form(value: Any) -> str:
    if isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG:
        return "secret"
    return "plain"


monitor = RecordingMonitor(Mocks())
pulumi.runtime.set_mocks(Mocks(), project="sdk-check", stack="dev", preview=False, monitor=monitor)


@pulumi.runtime.test
def run() -> pulumi.Output[Any]:
    vaults = program.build_vaults(
        openai_key=pulumi.Output.secret("sk-test-openai-0000000000000000"),
        anthropic_key="sk-test-anthropic-1111111111111111",
    )
    return pulumi.Output.all(*[vault.urn for vault in vaults])


run()

report: dict[str, Any] = {}
for registration in monitor.registrations:
    if registration["type"] != VAULT_TYPE:
        continue
    providers = registration["object"].get("providers", [])
    report[registration["name"]] = {
        "remote": registration["remote"],
        "providers_list": wire_form(providers),
        "apiKey": {
            (p.get("name") if isinstance(p, dict) else "?"): wire_form(p.get("apiKey") if isinstance(p, dict) else p)
            for p in (providers if isinstance(providers, list) else [])
        },
    }
print(json.dumps(report, sort_keys=True))
