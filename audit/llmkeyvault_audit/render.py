"""The report as a table (rich), JSON, or Markdown for a ticket."""

from __future__ import annotations

import json
import os
from typing import TextIO

from rich.console import Console
from rich.table import Table

from llmkeyvault_audit.model import Report, Severity

STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _key_title(report: Report, i: int) -> str:
    key = report.keys[i]
    bits = [key.id]
    if key.provider:
        bits.append(f"({key.provider})")
    if not key.present:
        bits.append("[MISSING]")
    if key.external:
        bits.append("[external]")
    if key.expires_at:
        bits.append(f"expires {key.expires_at}")
    return " ".join(bits)


def table(report: Report, out: TextIO, *, width: int | None = None) -> None:
    if width is None and not out.isatty():
        # Not a terminal (a file, a CI log): COLUMNS if set, else wide enough for the paths.
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() else 160
    console = Console(file=out, width=width, highlight=False, soft_wrap=False)
    access = Table(title="Who can use each key", show_lines=False)
    for column in ("Key", "Principal", "Kind", "Permission", "Path"):
        access.add_column(column, overflow="fold")
    for i, key in enumerate(report.keys):
        title = _key_title(report, i)
        if not key.access:
            access.add_row(title, "-", "-", "-", "nobody (no grant found)")
        for j, a in enumerate(key.access):
            access.add_row(title if j == 0 else "", a.principal, a.kind, a.permission, " > ".join(a.path))
        for r in key.references:
            access.add_row("", r.name, r.kind, "references", f"{r.field} (creator {r.creator})")
        access.add_section()
    console.print(access)
    findings = Table(title="Findings")
    for column in ("Severity", "Finding", "Where", "Principal", "Detail"):
        findings.add_column(column, overflow="fold")
    for f in report.findings:
        findings.add_row(f.severity.label, f.code, f.key or "", f.principal or "", f.message, style=STYLE[f.severity])
    if report.findings:
        console.print(findings)
    else:
        console.print("No findings.")
    counts = ", ".join(
        f"{sum(1 for f in report.findings if f.severity == s)} {s.label}" for s in sorted(Severity, reverse=True)
    )
    console.print(f"{len(report.keys)} key(s); findings: {counts}; {report.api_calls} API call(s)")


def as_json(report: Report, out: TextIO) -> None:
    # One line: the C encoder (indent would switch to the pure-Python one, many times slower on a
    # large workspace); `jq .` or `python -m json.tool` pretty-prints it.
    out.write(json.dumps(report.to_json()) + "\n")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report: Report, out: TextIO) -> None:
    target = ", ".join(f"{k} `{v}`" for k, v in report.target.items() if v)
    out.write(f"## LLM key access audit\n\nTarget: {target}\n\n")
    out.write("### Findings\n\n")
    if report.findings:
        out.write("| Severity | Finding | Where | Principal | Detail |\n|---|---|---|---|---|\n")
        for f in report.findings:
            where, who = _md(f.key or ""), _md(f.principal or "")
            out.write(f"| {f.severity.label} | {f.code} | {where} | {who} | {_md(f.message)} |\n")
    else:
        out.write("No findings.\n")
    out.write("\n### Who can use each key\n\n")
    for i, key in enumerate(report.keys):
        out.write(f"#### {_md(_key_title(report, i))}\n\n| Principal | Kind | Permission | Path |\n|---|---|---|---|\n")
        for a in key.access:
            out.write(f"| {_md(a.principal)} | {a.kind} | {a.permission} | {_md(' > '.join(a.path))} |\n")
        for r in key.references:
            out.write(f"| {_md(r.name)} | {r.kind} | references | {_md(r.field)} (creator {_md(r.creator)}) |\n")
        out.write("\n")
