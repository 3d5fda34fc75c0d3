"""The ``llmkeyvault-guardrails`` policy pack: ``pulumi preview --policy-pack <this folder>``.

The rules are in ``llmkeyvault_guardrails.py`` (see docs/policy.md); this file
serves them to the engine through pulumi-policy. Each rule is one policy that
the engine calls twice: for each resource as it is registered (the resource
phase) and once for the whole stack (the stack phase), where the children of a
component that claims the LlmKeyVault type are judged with their parent in
view. Each policy's enforcement level, one for both phases, can be changed
with policy configuration (``--policy-pack-config``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llmkeyvault_guardrails import RULES, Rule, check, judge_stack
from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import _DictProxy, _ListProxy


def plain(value: Any) -> Any:
    """The resource's properties without pulumi-policy's unknown-checking proxies: values
    not known during preview stay as the engine's placeholder strings, which the
    rules treat as set but unknown, instead of failing the whole policy."""
    if isinstance(value, _DictProxy):
        target = value["__target"]
        return {key: plain(target[key]) for key in target}
    if isinstance(value, _ListProxy):
        return [plain(item) for item in value["__target"]]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(item) for item in value]
    return value


@dataclass(frozen=True)
class _Options:
    parent: str | None
    delete_before_replace: bool | None


@dataclass(frozen=True)
class _Resource:
    resource_type: str
    props: Mapping[str, Any]
    urn: str
    name: str
    opts: _Options
    provider_type: str | None


#: each resource's inputs as its resource call saw them, by URN. The stack call hands a
#: resource's outputs, which the rules do not read: their names can differ from the
#: inputs' (azure-native's Key Vault secret has ``name`` for ``secretName``), and a
#: preview may not know them (its ``properties.attributes``). The engine makes both calls
#: of one operation to the same pack process, the resource calls first.
_INPUTS: dict[str, Mapping[str, Any]] = {}


def _resource(r: ResourceValidationArgs | PolicyResource) -> _Resource:
    custom = r.provider is not None
    if isinstance(r, ResourceValidationArgs):
        props = _INPUTS[r.urn] = plain(r.props)  # the latest call's, should one process serve two operations
    else:
        # a component's props are its outputs (what the rules read of it); a custom
        # resource's are its inputs when its resource call was seen
        seen = _INPUTS.get(r.urn) if custom else None
        props = seen if seen is not None else plain(r.props)
    return _Resource(
        r.resource_type,
        props,
        r.urn,
        r.name,
        _Options(r.opts.parent or None, r.opts.delete_before_replace),
        r.provider.resource_type if r.provider is not None else None,
    )


class GuardrailPolicy(ResourceValidationPolicy):  # type: ignore[misc]
    """One rule, as a resource policy and (registered below) a stack policy with one
    name and one enforcement level."""

    def __init__(self, rule: Rule) -> None:
        super().__init__(
            name=rule.name,
            description=rule.description,
            enforcement_level=EnforcementLevel(rule.level),
            validate=self.validate,
        )
        self.rule = rule

    def validate(self, args: ResourceValidationArgs | StackValidationArgs, report: ReportViolation) -> None:
        if isinstance(args, StackValidationArgs):
            resources = [_resource(r) for r in args.resources]
            judge_stack(self.rule, resources, report)
        else:
            resource = _resource(args)
            if args.resource_type not in self.rule.resource_types:
                return
            for message in check(self.rule, resource):
                report(message, None)


# The engine's stack call goes to every policy that is a StackValidationPolicy.
StackValidationPolicy.register(GuardrailPolicy)


def policy(rule: Rule) -> GuardrailPolicy:
    return GuardrailPolicy(rule)


PolicyPack(name="llmkeyvault-guardrails", policies=[policy(rule) for rule in RULES])
