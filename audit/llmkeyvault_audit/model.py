"""The audit's results: keys, who can read them and through what, and findings.

The JSON form (`Report.to_json`) is a stable interface, documented in audit/README.md:
fields are only ever added, and `version` changes if one is removed or changes meaning.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

REPORT_VERSION = 1


class Severity(enum.IntEnum):
    """How bad a finding is; `--fail-on` compares against it."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            valid = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}: expected one of {valid}") from None


@dataclass(frozen=True)
class Access:
    """One principal able to use a key, and the path that gives it access.

    ``path`` reads from the key outwards: the grant first (``ACL READ to data-science``),
    then each group membership that leads to the principal."""

    principal: str
    #: user, service_principal, group (only for groups that cannot be expanded, such as
    #: `users` and `account users`, which stand for everyone), or unknown
    kind: str
    #: READ, WRITE or MANAGE for a secret scope; the Unity Catalog privilege, or OWNER
    permission: str
    #: acl, uc_grant, uc_owner or admin
    source: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """A workload whose configuration references the key: a serving endpoint, a job, a cluster
    or a model provider service, with its creator and where in its configuration."""

    #: serving_endpoint, job, cluster or model_provider_service
    kind: str
    name: str
    creator: str
    field: str
    #: the endpoint's, job's or cluster's id, the service's full name
    id: str = ""


@dataclass
class KeyReport:
    """One key: where it lives, whether it is there, and who can use it."""

    id: str
    backend: str
    provider: str | None
    scope: str | None
    key: str | None
    full_name: str | None
    present: bool
    external: bool
    expires_at: str | None
    access: list[Access] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "backend": self.backend,
            "provider": self.provider,
            "scope": self.scope,
            "key": self.key,
            "full_name": self.full_name,
            "present": self.present,
            "external": self.external,
            "expires_at": self.expires_at,
            "access": [
                {
                    "principal": a.principal,
                    "kind": a.kind,
                    "permission": a.permission,
                    "source": a.source,
                    "path": list(a.path),
                }
                for a in self.access
            ],
            "references": [
                {"kind": r.kind, "name": r.name, "id": r.id, "creator": r.creator, "field": r.field}
                for r in self.references
            ],
        }


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    key: str | None
    principal: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.label,
            "code": self.code,
            "key": self.key,
            "principal": self.principal,
            "message": self.message,
        }


@dataclass
class Report:
    target: dict[str, Any]
    keys: list[KeyReport]
    findings: list[Finding]
    api_calls: int = 0

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def failing(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= threshold]

    def to_json(self) -> dict[str, Any]:
        counts = {s.label: sum(1 for f in self.findings if f.severity == s) for s in Severity}
        return {
            "version": REPORT_VERSION,
            "target": self.target,
            "keys": [key.to_json() for key in self.keys],
            "findings": [f.to_json() for f in self.findings],
            "summary": {"keys": len(self.keys), "findings": counts, "apiCalls": self.api_calls},
        }
