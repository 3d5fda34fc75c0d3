"""The ``llmkeyvault-guardrails`` policy pack: ``pulumi preview --policy-pack <this folder>``.

The rules are in ``llmkeyvault_guardrails.py`` (see docs/policy.md); this file
serves them to the engine through pulumi-policy. Each policy's enforcement
level can be changed with policy configuration (``--policy-pack-config``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmkeyvault_guardrails import RULES, Rule
from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import _DictProxy, _ListProxy


def plain(value: Any) -> Any:
    """The resource's inputs without pulumi-policy's unknown-checking proxies: values
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


class _Args:
    def __init__(self, args: ResourceValidationArgs) -> None:
        self.resource_type = args.resource_type
        self.props = plain(args.props)
        self.urn = args.urn
        self.name = args.name
        self.opts = args.opts


def policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type in rule.resource_types:
            rule.validate(_Args(args), lambda message: report_violation(message, None))

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=EnforcementLevel(rule.level),
        validate=validate,
    )


PolicyPack(name="llmkeyvault-guardrails", policies=[policy(rule) for rule in RULES])
