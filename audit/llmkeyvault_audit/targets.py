"""What the audit looks at, and what the stack declares about it.

A vault stack's outputs (api.md, "Outputs") are read with the Pulumi CLI, without
`--show-secrets`: none of them is secret, and a secret one would print as `[secret]`
and be ignored. A program may export the component's outputs one by one (`grants`,
`scopes`, ...) or the whole component as one object: both are found.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmkeyvault_audit.workspace import SECRET_REF


class TargetError(Exception):
    """The target cannot be read (exit code 2)."""


@dataclass(frozen=True)
class DeclaredKey:
    provider: str | None
    scope: str | None = None
    key: str | None = None
    full_name: str | None = None


@dataclass
class Declared:
    """What a vault stack says should exist."""

    scopes: list[str] = field(default_factory=list)
    uc_secrets: list[str] = field(default_factory=list)
    keys: list[DeclaredKey] = field(default_factory=list)
    #: (scope or secret full name, lower-case principal, permission)
    grants: set[tuple[str, str, str]] = field(default_factory=set)
    expirations: dict[str, str] = field(default_factory=dict)
    external: set[str] = field(default_factory=set)
    #: False when the target was given by name (--scope, --uc-secret): nothing declared to compare
    from_stack: bool = False


def _vault_outputs(outputs: dict[str, Any]) -> list[dict[str, Any]]:
    """The component output sets in a stack's outputs: the top level, or exported objects."""
    marks = ("grants", "scopes", "scopeNames", "secretFullNames")
    found = [outputs] if any(k in outputs for k in marks) else []
    for value in outputs.values():
        if isinstance(value, dict) and any(k in value for k in marks):
            found.append(value)
    return found


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str) and v != "[secret]"}


def declared_from_outputs(outputs: dict[str, Any]) -> Declared:
    sets = _vault_outputs(outputs)
    if not sets:
        raise TargetError(
            "the stack's outputs hold no llmkeyvault outputs (grants, scopes, scopeNames or secretFullNames): "
            'export them from the program, e.g. `pulumi.export("grants", vault.grants)`'
        )
    d = Declared(from_stack=True)
    for out in sets:
        scope_names = _str_map(out.get("scopeNames"))
        secret_keys = _str_map(out.get("secretKeys"))
        full_names = _str_map(out.get("secretFullNames"))
        scopes = [s for s in out.get("scopes") or [] if isinstance(s, str) and s != "[secret]"]
        d.scopes += sorted(set(scopes) | set(scope_names.values()))
        d.uc_secrets += sorted(full_names.values())
        # `secretReferences` ({{secrets/<scope>/<key>}} per provider) says the same, for programs
        # that export it rather than scopeNames and secretKeys.
        for provider, ref in _str_map(out.get("secretReferences")).items():
            m = SECRET_REF.fullmatch(ref.strip())
            if m and provider not in scope_names:
                scope_names[provider], secret_keys[provider] = m.group(1), m.group(2)
        for provider, scope in scope_names.items():
            if provider in secret_keys:
                d.keys.append(DeclaredKey(provider, scope=scope, key=secret_keys[provider]))
        for provider, full in full_names.items():
            d.keys.append(DeclaredKey(provider, full_name=full))
        for grant in out.get("grants") or []:
            if not isinstance(grant, dict):
                continue
            where = grant.get("secret") or grant.get("scope")
            principal, permission = grant.get("principal"), grant.get("permission")
            if isinstance(where, str) and isinstance(principal, str) and isinstance(permission, str):
                d.grants.add((where.lower(), principal.strip().lower(), permission.upper()))
        d.expirations.update(_str_map(out.get("expirations")))
        d.external.update(p for p in out.get("externalKeys") or [] if isinstance(p, str))
    d.scopes = sorted(set(d.scopes))
    d.uc_secrets = sorted(set(d.uc_secrets))
    return d


def read_stack_outputs(stack: str, *, pulumi: str | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """`pulumi stack output --json --stack STACK`, never with --show-secrets."""
    exe = pulumi or shutil.which("pulumi")
    if not exe:
        raise TargetError("the Pulumi CLI is not on PATH: install it, or pass --pulumi PATH or --stack-outputs FILE")
    argv = [exe, "stack", "output", "--json", "--stack", stack, "--non-interactive"]
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    except OSError as e:
        raise TargetError(f"cannot run {exe}: {e}") from e
    if done.returncode != 0:
        raise TargetError(f"`pulumi stack output --json --stack {stack}` failed: {done.stderr.strip()[-2000:]}")
    return _parse_outputs(done.stdout, f"the outputs of stack {stack}")


def read_outputs_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise TargetError(f"--stack-outputs: cannot read {path}: {e.strerror}") from e
    return _parse_outputs(text, str(path))


def _parse_outputs(text: str, what: str) -> dict[str, Any]:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as e:
        raise TargetError(f"{what} are not JSON: {e}") from e
    if not isinstance(loaded, dict):
        raise TargetError(f"{what} are not a JSON object")
    return loaded


def declared_from_names(scopes: list[str], uc_secrets: list[str]) -> Declared:
    """Targets named on the command line: nothing is declared, so nothing is drift."""
    for name in uc_secrets:
        parts = name.split(".")
        if len(parts) != 3 or not all(parts):
            raise TargetError(f"--uc-secret {name!r}: expected CATALOG.SCHEMA.NAME")
    return Declared(scopes=sorted(set(scopes)), uc_secrets=sorted({n.lower() for n in uc_secrets}))
