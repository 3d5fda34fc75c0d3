"""The gRPC provider: ``Construct`` of ``llmkeyvault:index:LlmKeyVault`` and ``GetSchema``.

It only translates. Inputs arrive with schema (camelCase) names, and a list
that holds a secret arrives as one secret Output for the whole list. The
number of children depends on that list, so construction waits for the
inputs' values, puts the secret back on each ``apiKey`` alone, and only then
reads, plans and registers.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pulumi
import pulumi.provider as provider
from pulumi.errors import InputPropertiesError
from pulumi.output import UNKNOWN, Unknown, contains_unknowns

from .component import LlmKeyVault
from .errors import FieldError, InvalidInput
from .outputs import OUTPUT_ATTRIBUTES
from .schema import VAULT_TYPE, package_version, schema_json


class Provider(provider.Provider):
    """The ``llmkeyvault`` package's provider."""

    def __init__(self) -> None:
        super().__init__(package_version(), schema_json())

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: pulumi.Inputs,
        options: pulumi.ResourceOptions | None = None,
    ) -> provider.ConstructResult:
        if resource_type != VAULT_TYPE:
            raise ValueError(f"unknown resource type {resource_type}; this provider constructs {VAULT_TYPE}")
        built = asyncio.ensure_future(_construct_vault(name, inputs, options))
        vault: pulumi.Output[LlmKeyVault] = pulumi.Output.from_input(built)
        state = {key: vault.apply(_output(key)) for key in OUTPUT_ATTRIBUTES}
        return provider.ConstructResult(urn=vault.apply(lambda v: v.urn), state=state)


def _output(key: str) -> Callable[[LlmKeyVault], pulumi.Output[Any]]:
    return lambda vault: vault.outputs[key]


#: most registrations in flight at once, whatever the engine allows
MAX_PARALLEL_REGISTRATIONS = 64
_widened_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def _widen_registration_pool(parallel: int | None) -> None:
    """Let as many children register at once as the engine allows.

    Each registration holds a thread until the engine has created the child.
    The provider host leaves asyncio's default pool in place (CPUs + 4 threads,
    6 on two cores), which would make independent secrets and ACLs wait for
    each other; a language host sizes it from the engine's parallelism.
    """
    loop = asyncio.get_running_loop()
    if loop in _widened_loops:
        return  # once per loop: a new pool per Construct would strand the old one's threads
    workers = min(max(parallel or 1, 1) * 4, MAX_PARALLEL_REGISTRATIONS)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=workers))
    _widened_loops.add(loop)


async def _construct_vault(name: str, inputs: pulumi.Inputs, options: pulumi.ResourceOptions | None) -> LlmKeyVault:
    _widen_registration_pool(pulumi.runtime.settings.SETTINGS.parallel)
    try:
        plain, dependencies = await resolve_inputs(inputs)
    except InvalidInput as e:
        raise _property_errors(e) from None
    opts = pulumi.ResourceOptions.merge(options, pulumi.ResourceOptions(depends_on=sorted(dependencies, key=id)))
    try:
        return LlmKeyVault(name, plain, opts)
    except InvalidInput as e:
        raise _property_errors(e) from None


def _property_errors(error: InvalidInput) -> InputPropertiesError:
    return InputPropertiesError(str(error), [{"property_path": e.path, "reason": e.reason} for e in error.errors])


async def resolve_inputs(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], set[pulumi.Resource]]:
    """Plain input values with each ``apiKey`` alone a secret Output.

    Returns the values and the resources they depend on. A value unknown during
    preview is refused, except an ``apiKey``, which becomes an unknown secret.
    """
    dependencies: set[pulumi.Resource] = set()
    plain = await _resolve(dict(inputs), dependencies)
    providers = plain.get("providers")
    if isinstance(providers, list):
        for item in providers:
            if isinstance(item, dict) and "apiKey" in item:
                item["apiKey"] = _secret(item["apiKey"], dependencies)
    _refuse_unknowns(plain, "")
    return plain, dependencies


async def _resolve(value: Any, dependencies: set[pulumi.Resource]) -> Any:
    if isinstance(value, pulumi.Output):
        dependencies |= await value.resources()
        inner = await value.future(with_unknowns=True)
        if not await value.is_known() and not contains_unknowns(inner):
            inner = UNKNOWN
        return await _resolve(inner, dependencies)
    if isinstance(value, Mapping):
        return {k: await _resolve(v, dependencies) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [await _resolve(v, dependencies) for v in value]
    return value


def _secret(value: Any, dependencies: set[pulumi.Resource]) -> pulumi.Output[Any]:
    unknown = isinstance(value, Unknown)

    async def data(result: Any) -> Any:
        return result

    return pulumi.Output(
        resources=set(dependencies),
        future=data(None if unknown else value),
        is_known=data(not unknown),
        is_secret=data(True),
    )


def _refuse_unknowns(value: Any, path: str) -> None:
    if isinstance(value, pulumi.Output):
        return  # an apiKey, already made secret
    if isinstance(value, Unknown):
        raise InvalidInput(
            [
                FieldError(
                    path,
                    "is not known yet (it depends on a resource not yet created); names and "
                    "principals must be known during preview because they decide which resources exist",
                )
            ]
        )
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_unknowns(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _refuse_unknowns(v, f"{path}[{i}]")
