"""The gRPC provider: ``Construct`` of ``llmkeyvault:index:LlmKeyVault`` and ``GetSchema``.

It only translates. Inputs arrive with schema (camelCase) names, and a list
that holds a secret arrives as one secret Output for the whole list. The
number of children depends on that list, so construction waits for the
inputs' values, checks all of them at once (keys included), and only then
registers, with the secret put back on each ``apiKey`` alone.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Final

import pulumi
import pulumi.provider as provider
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.output import UNKNOWN, Unknown, contains_unknowns

from . import rules
from .component import LlmKeyVault
from .errors import FieldError, InvalidInput, Problems
from .lookups import previous_state
from .outputs import OUTPUT_ATTRIBUTES
from .plan import check_inputs
from .schema import VAULT_TYPE, schema_json
from .version import __version__


class Provider(provider.Provider):
    """The ``llmkeyvault`` package's provider."""

    def __init__(self) -> None:
        super().__init__(__version__, schema_json())

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
    resolved = await resolve_inputs(inputs)
    refuse_secret_names(resolved.values, resolved.secret_paths, resolved.problems)
    opts = pulumi.ResourceOptions.merge(
        options, pulumi.ResourceOptions(depends_on=sorted(resolved.dependencies, key=id))
    )
    try:
        # The one gate, before the component or any child is registered: the
        # component checks types and every rule; values still unknown are
        # reported together with all of those.
        if resolved.problems:
            check_inputs(name, resolved.values, resolved.problems)
        previous = await previous_state(name, VAULT_TYPE, opts)
        return LlmKeyVault(name, resolved.values, opts, secret_inputs=resolved.secret_inputs, previous=previous)
    except InvalidInput as e:
        raise property_errors(e, resolved.secret_values(), resolved.values) from None


#: added to a property error's path when the engine must not print the value found there
WITHHELD = " (value not shown)"


def property_errors(
    error: InvalidInput, secret_values: Collection[str] = (), values: Mapping[str, Any] | None = None
) -> InputPropertiesError:
    """The refusal as the engine expects it: one detail per field.

    The engine prints the input value it finds at each detail's path. For a
    field whose value must not be shown (key material, a value not known yet,
    which the engine cannot print, or a text longer than a message shows, found
    in ``values``), the path is sent with a note that the engine does not look
    up, so it names the field without its value. Values of inputs that arrived
    secret are masked in every reason.
    """

    def withheld(e: FieldError) -> bool:
        if e.withhold_value:
            return True
        value = _value_at(values, e.path) if values is not None else None
        return isinstance(value, str) and len(value) > rules.SHOWN_MAX_LENGTH

    def masked(text: str) -> str:
        for value in sorted(secret_values, key=len, reverse=True):
            text = text.replace(value, "[secret]")
            # A long value is shown cut to its first characters (rules.quoted): mask those too.
            shown = value[: rules.SHOWN_MAX_LENGTH - 10]
            if len(value) > len(shown) and len(shown) >= 4:
                text = text.replace(shown, "[secret]")
        return text

    details: list[InputPropertyErrorDetails] = [
        {"property_path": e.path + (WITHHELD if withheld(e) else ""), "reason": masked(e.reason)} for e in error.errors
    ]
    return InputPropertiesError(masked(str(error)), details)


@dataclass
class ResolvedInputs:
    """The inputs as plain values, with what the engine said about them."""

    values: dict[str, Any]
    dependencies: set[pulumi.Resource] = field(default_factory=set)
    #: top-level inputs that arrived secret, or held a value that did (``providers`` always does, for its
    #: keys), and ``PROVIDER_READERS`` when a provider's readers did
    secret_inputs: set[str] = field(default_factory=set)
    #: the paths of the values that arrived secret (``providers[0].name``): the engine sends each
    #: secret value as an output value of its own; an SDK that sends a list holding a secret
    #: as one secret gives the list's path
    secret_paths: set[str] = field(default_factory=set)
    #: values still unknown during a preview, one problem each
    problems: Problems = field(default_factory=Problems)

    def secret_values(self) -> list[str]:
        """The strings of every value that arrived secret, except the keys and the lists that hold them."""
        found: list[str] = []
        for path in self.secret_paths:
            if _holds_api_keys(path) or path.endswith(".apiKey"):
                continue
            _strings_in(_value_at(self.values, path), found)
        return [v for v in found if v]


def _strings_in(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _strings_in(v, found)
    elif isinstance(value, list):
        for v in value:
            _strings_in(v, found)


_STEP: Final = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")


def _steps(path: str) -> list[str | int]:
    """``providers[0].name`` -> ``["providers", 0, "name"]``."""
    return [int(index) if index else key for key, index in _STEP.findall(path)]


def _value_at(values: Any, path: str) -> Any:
    for step in _steps(path):
        if isinstance(step, int) and isinstance(values, list) and step < len(values):
            values = values[step]
        elif isinstance(step, str) and isinstance(values, dict):
            values = values.get(step)
        else:
            return None
    return values


def _general(path: str) -> str:
    """``providers[0].readers[2]`` -> ``providers[].readers[]``: the field, whichever item."""
    return re.sub(r"\[[0-9]+\]", "[]", path)


#: fields whose values may arrive secret: the component keeps every output and child property
#: derived from them secret (``component.py``), and names a child after a principal by a digest
PROVIDER_READERS: Final = "providers[].readers"
KEPT_SECRET: Final = frozenset(
    {
        "scopeName",
        "readers[]",
        "writers[]",
        "managers[]",
        "referencers[]",
        PROVIDER_READERS + "[]",
        "providers[].apiKey",
    }
)


def _holds_api_keys(path: str) -> bool:
    """``providers`` or ``providers[1]``: a secret there may be only the keys it holds."""
    return _general(path) in ("providers", "providers[]")


def _kept(path: str) -> bool:
    general = _general(path)
    return general in KEPT_SECRET or any(kept.startswith(general + "[") for kept in KEPT_SECRET)


SECRET_NAME_REASON: Final = (
    "arrived secret, but it names resources or outputs that are stored as plain text (a URN, an output, "
    "a child's properties); give it as a plain value, not a secret (only apiKey, scopeName and principals "
    "may be secret, and stay secret)"
)


def refuse_secret_names(values: Mapping[str, Any], secret_paths: Collection[str], problems: Problems) -> None:
    """Refuse every text that arrived secret where it would become a plain name; never shows it.

    A secret number or boolean names nothing, and stays as it is."""
    for path in sorted(secret_paths):
        if _kept(path) or _holds_api_keys(path):
            continue
        texts: list[str] = []
        _strings_in(_value_at(values, path), texts)
        if texts:
            problems.add(path, SECRET_NAME_REASON, withhold_value=True)


async def resolve_inputs(inputs: Mapping[str, Any]) -> ResolvedInputs:
    """Plain input values with each ``apiKey`` known as a plain string or unknown as a secret Output.

    A key that is known stays a plain string here so that the gate can check it
    before anything is registered; the component wraps it as a secret before
    any child sees it. A value unknown during preview is refused (every such
    value is named), except an ``apiKey``, which becomes an unknown secret.
    """
    resolved = ResolvedInputs(values={})
    for key, value in inputs.items():
        resolved.values[key] = await _resolve(value, resolved.dependencies, resolved.secret_paths, key)
    for path in resolved.secret_paths:
        resolved.secret_inputs.add(str(_steps(path)[0]))
        if _general(path).startswith(PROVIDER_READERS):
            resolved.secret_inputs.add(PROVIDER_READERS)
    providers = resolved.values.get("providers")
    if isinstance(providers, list):
        for item in providers:
            if isinstance(item, dict) and isinstance(item.get("apiKey"), Unknown):
                item["apiKey"] = _unknown_secret(resolved.dependencies)
    resolved.values = _without_unknowns(resolved.values, "", resolved.problems)
    return resolved


async def _resolve(value: Any, dependencies: set[pulumi.Resource], secret_paths: set[str], path: str) -> Any:
    if isinstance(value, pulumi.Output):
        dependencies |= await value.resources()
        if await value.is_secret():
            secret_paths.add(path)
        inner = await value.future(with_unknowns=True)
        if not await value.is_known() and not contains_unknowns(inner):
            inner = UNKNOWN
        return await _resolve(inner, dependencies, secret_paths, path)
    if isinstance(value, Mapping):
        return {k: await _resolve(v, dependencies, secret_paths, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [await _resolve(v, dependencies, secret_paths, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _unknown_secret(dependencies: set[pulumi.Resource]) -> pulumi.Output[Any]:
    async def data(result: Any) -> Any:
        return result

    return pulumi.Output(resources=set(dependencies), future=data(None), is_known=data(False), is_secret=data(True))


UNKNOWN_REASON = (
    "is not known yet (an output of a resource not yet created); names and principals must be known "
    "during preview because they decide which resources exist and what they are called. Give it as a "
    "plain string (for a group made in the same program, its display name, with dependsOn on the group), "
    "or create that resource first (pulumi up --target its URN), then the vault"
)


def _without_unknowns(value: Any, path: str, problems: Problems) -> Any:
    """``value`` with each unknown named in ``problems`` and left out, so every other field is still checked.

    An unknown inside a list is replaced by a placeholder that no rule refuses,
    so the items after it keep their paths.
    """
    if isinstance(value, Unknown):
        problems.add(path, UNKNOWN_REASON, withhold_value=True)
        return None
    if isinstance(value, dict):
        checked = {k: _without_unknowns(v, f"{path}.{k}" if path else str(k), problems) for k, v in value.items()}
        return {k: v for k, v in checked.items() if not isinstance(value[k], Unknown)}
    if isinstance(value, list):
        items = []
        for i, v in enumerate(value):
            if isinstance(v, Unknown):
                problems.add(f"{path}[{i}]", UNKNOWN_REASON, withhold_value=True)
                items.append(f"(unknown {path}[{i}])")
            else:
                items.append(_without_unknowns(v, f"{path}[{i}]", problems))
        return items
    return value
