"""Effective access per key and the findings, from the workspace against what the stack declares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from llmkeyvault_audit.model import Access, Finding, KeyReport, Reference, Report, Severity
from llmkeyvault_audit.targets import Declared, DeclaredKey
from llmkeyvault_audit.workspace import ADMINS, EVERYONE, Workspace

#: Unity Catalog privileges that let a principal use a secret (REFERENCE_SECRET: by
#: reference only, without reading it); catalog and schema grants pass them down
UC_ACCESS = ("ALL_PRIVILEGES", "MANAGE", "READ_SECRET", "WRITE_SECRET", "REFERENCE_SECRET")
RANK = {"READ": 1, "WRITE": 2, "MANAGE": 3}
#: privileges on a model provider service that let a principal call it, and so use its key
SERVICE_USE = ("ALL_PRIVILEGES", "EXECUTE", "MANAGE")


class Auditor:
    def __init__(
        self,
        ws: Workspace,
        declared: Declared,
        *,
        deployer: str | None,
        warning_days: int,
        now: datetime,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.ws = ws
        self.declared = declared
        self.deployer = (deployer or "").lower()
        self.warning_days = warning_days
        self.now = now
        self.progress = progress or (lambda _: None)
        self.findings: list[Finding] = []
        self._reported: set[tuple[str, str | None, str | None]] = set()

    def find(self, severity: Severity, code: str, key: str | None, principal: str | None, message: str) -> None:
        mark = (code, key, principal)
        if mark not in self._reported:
            self._reported.add(mark)
            self.findings.append(Finding(severity, code, key, principal, message))

    # Who.

    def _with_members(self, principal: str, permission: str, source: str, *first: str) -> list[Access]:
        """The principal named by a grant and, for a group, everyone in it; `first` is the path
        to the grant (one step, or more for a grant reached through another object)."""
        kind = self.ws.kind_of(principal)
        if kind == "unknown":
            self.find(
                Severity.LOW,
                "principal-unknown",
                None,
                principal,
                f"{first[-1]}: {principal} is no user, group or service principal of this workspace",
            )
        if principal.lower() in EVERYONE:
            return [Access(principal, "group", permission, source, (*first, f"{principal}: every user"))]
        out = [Access(principal, kind, permission, source, first)]
        if kind == "group":
            out += [Access(m.name, m.kind, permission, source, (*first, *m.chain)) for m in self.ws.expand(principal)]
        return out

    def _admins(self) -> list[Access]:
        return [Access(m.name, m.kind, "MANAGE", "admin", ("workspace admin", *m.chain)) for m in self.ws.admins()]

    def _is_deployer(self, principal: str) -> bool:
        return bool(self.deployer) and principal.lower() == self.deployer

    # Secret scopes.

    def audit_scope(
        self, scope: str, declared_keys: list[DeclaredKey], refs: dict[tuple[str, str], list[Reference]]
    ) -> list[KeyReport]:
        self.progress(f"scope {scope}")
        listed = self.ws.secrets(scope)
        if listed is None:
            self.find(Severity.HIGH, "scope-missing", scope, None, f"secret scope {scope} does not exist")
            return [self._key_report(dk, present=False, refs=refs) for dk in declared_keys]
        acls = self.ws.acls(scope)
        access: list[Access] = []
        managers = False
        for principal, permission in acls:
            access += self._with_members(principal, permission, "acl", f"scope ACL: {permission} to {principal}")
            low = principal.lower()
            if permission == "MANAGE" and low != ADMINS:
                managers = True
            declared = (scope.lower(), low, permission) in self.declared.grants
            if self.declared.from_stack and not declared:
                if self._is_deployer(principal) and permission == "MANAGE":
                    self.find(
                        Severity.INFO,
                        "deployer-manage",
                        scope,
                        principal,
                        f"the deploying identity {principal} keeps MANAGE on scope {scope}",
                    )
                else:
                    self.find(
                        Severity.HIGH,
                        "undeclared-access",
                        scope,
                        principal,
                        f"scope {scope}: {permission} for {principal} is not declared by the stack (added outside it)",
                    )
            if low in EVERYONE:
                self.find(
                    Severity.HIGH if declared else Severity.CRITICAL,
                    "everyone-can-read",
                    scope,
                    principal,
                    f"scope {scope}: every workspace user can read its keys ({permission} to {principal})",
                )
            elif self.ws.kind_of(principal) == "group":
                members = [m.name for m in self.ws.expand(principal) if m.kind != "group"]
                shown = ", ".join(members[:5]) + (f" and {len(members) - 5} more" if len(members) > 5 else "")
                self.find(
                    Severity.INFO,
                    "group-membership",
                    scope,
                    principal,
                    f"scope {scope}: group {principal} gives {permission} to {len(members)} principal(s)"
                    + (f": {shown}" if shown else ""),
                )
        have = {(p.lower(), perm) for p, perm in acls}
        for where, principal, permission in sorted(self.declared.grants):
            if where == scope.lower() and (principal, permission) not in have:
                self.find(
                    Severity.HIGH,
                    "declared-access-missing",
                    scope,
                    principal,
                    f"scope {scope}: the stack declares {permission} for {principal}, the workspace has none",
                )
        if not managers:
            self.find(
                Severity.MEDIUM,
                "no-manager",
                scope,
                None,
                f"scope {scope} has no manager but workspace admins: nobody else can rotate a key or change an ACL",
            )
        admins = self._admins()
        if admins:
            self.find(
                Severity.INFO,
                "admins",
                scope,
                ADMINS,
                f"scope {scope}: {len(admins)} workspace admin(s) can read and manage it",
            )
        access += admins
        present = {k for k, _ in listed}
        reports = [self._key_report(dk, present=dk.key in present, refs=refs, access=access) for dk in declared_keys]
        known = {dk.key for dk in declared_keys}
        for key in sorted(present - known):
            reports.append(
                self._key_report(DeclaredKey(None, scope=scope, key=key), present=True, refs=refs, access=access)
            )
        return reports

    def _key_report(
        self,
        dk: DeclaredKey,
        *,
        present: bool,
        refs: dict[tuple[str, str], list[Reference]],
        access: list[Access] | None = None,
    ) -> KeyReport:
        kid = f"{dk.scope}/{dk.key}"
        external = dk.provider in self.declared.external
        report = KeyReport(
            id=kid,
            backend="databricks",
            provider=dk.provider,
            scope=dk.scope,
            key=dk.key,
            full_name=None,
            present=present,
            external=external,
            expires_at=self.declared.expirations.get(dk.provider or ""),
            access=list(access or []),
            references=refs.get((dk.scope or "", dk.key or ""), []),
        )
        self._presence_and_expiry(report)
        return report

    def _presence_and_expiry(self, report: KeyReport) -> None:
        if not report.present:
            if report.external:
                self.find(
                    Severity.HIGH,
                    "external-value-missing",
                    report.id,
                    None,
                    f"{report.id}: the value of external key {report.provider} was never written (or was deleted)",
                )
            else:
                self.find(
                    Severity.HIGH, "key-missing", report.id, None, f"{report.id}: the key the stack declares is missing"
                )
        if report.expires_at:
            when = _parse_time(report.expires_at)
            if when is None:
                self.find(
                    Severity.LOW,
                    "expiry-unreadable",
                    report.id,
                    None,
                    f"{report.id}: expiry {report.expires_at!r} is not an RFC 3339 time",
                )
            elif when <= self.now:
                self.find(Severity.HIGH, "key-expired", report.id, None, f"{report.id}: expired on {report.expires_at}")
            elif when <= self.now + timedelta(days=self.warning_days):
                self.find(
                    Severity.MEDIUM,
                    "key-expiring",
                    report.id,
                    None,
                    f"{report.id}: expires on {report.expires_at}, within {self.warning_days} days",
                )

    # Unity Catalog.

    def audit_uc_secret(self, full_name: str, provider: str | None) -> KeyReport:
        self.progress(f"secret {full_name}")
        full_name = full_name.lower()
        catalog, schema, _ = full_name.split(".")
        secret = self.ws.uc_secret(full_name)
        expires = self.declared.expirations.get(provider or "")
        if secret is not None and secret.expire_time is not None and not expires:
            expires = secret.expire_time.ToJsonString()
        report = KeyReport(
            id=full_name,
            backend="unity-catalog",
            provider=provider,
            scope=None,
            key=None,
            full_name=full_name,
            present=secret is not None,
            external=provider in self.declared.external,
            expires_at=expires,
        )
        self._presence_and_expiry(report)
        if secret is None:
            return report
        levels = (("secret", full_name), ("schema", f"{catalog}.{schema}"), ("catalog", catalog))
        have: set[tuple[str, str]] = set()
        for securable, name in levels:
            owner = self.ws.owner(securable, name)
            if owner:
                report.access += self._with_members(owner, "OWNER", "uc_owner", f"owner of {securable} {name}")
            for principal, privileges in self.ws.grants(securable, name):
                for privilege in privileges:
                    if privilege not in UC_ACCESS:
                        continue
                    first = f"{securable} {name}: {privilege} to {principal}"
                    report.access += self._with_members(principal, privilege, "uc_grant", first)
                    low = principal.lower()
                    if securable == "secret":
                        have.add((low, privilege))
                    declared = securable == "secret" and (full_name, low, privilege) in self.declared.grants
                    if self.declared.from_stack and not declared and self._is_deployer(principal):
                        self.find(
                            Severity.INFO,
                            "deployer-manage",
                            full_name,
                            principal,
                            f"the deploying identity {principal} holds {privilege} on {securable} {name}",
                        )
                    elif self.declared.from_stack and not declared:
                        self.find(
                            Severity.HIGH,
                            "undeclared-access",
                            full_name,
                            principal,
                            f"{full_name}: {privilege} for {principal} on {securable} {name} is not declared "
                            "by the stack (granted outside it)",
                        )
                    if low in EVERYONE and privilege in ("READ_SECRET", "ALL_PRIVILEGES", "MANAGE"):
                        self.find(
                            Severity.HIGH if declared else Severity.CRITICAL,
                            "everyone-can-read",
                            full_name,
                            principal,
                            f"{full_name}: every user can read it ({privilege} to {principal} on {securable} {name})",
                        )
        for where, principal, privilege in sorted(self.declared.grants):
            if where == full_name and (principal, privilege) not in have:
                self.find(
                    Severity.HIGH,
                    "declared-access-missing",
                    full_name,
                    principal,
                    f"{full_name}: the stack declares {privilege} for {principal}, the workspace has none",
                )
        report.access += self._metastore_admins()
        self._provider_services(report, f"{catalog}.{schema}")
        return report

    def _metastore_admins(self) -> list[Access]:
        """The metastore's owner (a user or a group, expanded) can manage every securable in it."""
        metastore = self.ws.metastore()
        if metastore is None or not metastore[1]:
            return []
        name, owner = metastore
        admins = self._with_members(owner, "MANAGE", "admin", "metastore admin", f"owner of metastore {name}: {owner}")
        people = [a for a in admins if a.kind != "group"]
        self.find(
            Severity.INFO,
            "metastore-admins",
            None,
            owner,
            f"metastore {name}: its owner {owner} ({len(people)} principal(s)) can manage every Unity Catalog secret",
        )
        return admins

    def _provider_services(self, report: KeyReport, schema: str) -> None:
        """AI Gateway model provider services of the secret's schema that reference it, with
        their owner and the principals that may call them (EXECUTE, MANAGE, ALL_PRIVILEGES)."""
        for svc in self.ws.provider_services(schema):
            for secret, field in svc.secrets:
                if secret != report.full_name:
                    continue
                report.references.append(
                    Reference("model_provider_service", svc.full_name, svc.creator, field, svc.full_name)
                )
                via = f"model provider service {svc.full_name} references it ({field})"
                if svc.owner:
                    first = f"owner of model_provider_service {svc.full_name}"
                    report.access += self._with_members(svc.owner, "OWNER", "uc_owner", via, first)
                for principal, privileges in self.ws.grants("model_provider_service", svc.full_name):
                    for privilege in privileges:
                        if privilege in SERVICE_USE:
                            first = f"model_provider_service {svc.full_name}: {privilege} to {principal}"
                            report.access += self._with_members(principal, privilege, "uc_grant", via, first)

    # All.

    def run(self, target: dict[str, Any]) -> Report:
        refs = self.ws.secret_refs() if self.declared.scopes else {}
        keys: list[KeyReport] = []
        for scope in self.declared.scopes:
            keys += self.audit_scope(scope, [dk for dk in self.declared.keys if dk.scope == scope], refs)
        providers = {dk.full_name.lower(): dk.provider for dk in self.declared.keys if dk.full_name}
        for full in self.declared.uc_secrets:
            keys.append(self.audit_uc_secret(full, providers.get(full.lower())))
        self.findings.sort(key=lambda f: (-f.severity, f.code, f.key or "", f.principal or ""))
        return Report(target=target, keys=keys, findings=self.findings, api_calls=self.ws.calls)


def _parse_time(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
