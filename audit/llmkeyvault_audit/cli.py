"""`llmkeyvault audit`: the command line.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage,
target or connection errors.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from databricks.sdk import WorkspaceClient
from databricks.sdk.config import Config
from databricks.sdk.errors.base import DatabricksError

from llmkeyvault_audit import render
from llmkeyvault_audit.analyse import Auditor
from llmkeyvault_audit.model import Severity
from llmkeyvault_audit.targets import (
    TargetError,
    declared_from_names,
    declared_from_outputs,
    read_outputs_file,
    read_stack_outputs,
)
from llmkeyvault_audit.workspace import Workspace

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise UsageError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="llmkeyvault", description="Tools for LlmKeyVault stacks.")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser(
        "audit",
        help="who can read each LLM key right now, and why",
        description="Who can read each LLM key in a Databricks workspace right now, and why, against what the "
        "vault stack declares. Credentials come from databricks-sdk's unified authentication "
        "(DATABRICKS_HOST and DATABRICKS_TOKEN, a profile, OAuth machine-to-machine). Never reads a secret value.",
    )
    target = a.add_argument_group("target (one of --stack, --stack-outputs, or --scope/--uc-secret)")
    target.add_argument("--stack", help="the vault stack, ORG/PROJECT/STACK, read with `pulumi stack output --json`")
    target.add_argument("--cwd", type=Path, help="folder to run pulumi in (the vault's project), with --stack")
    target.add_argument("--pulumi", help="the Pulumi CLI to run (default: pulumi on PATH)")
    target.add_argument(
        "--stack-outputs",
        type=Path,
        metavar="FILE",
        help="the stack's outputs as `pulumi stack output --json` printed them",
    )
    target.add_argument("--scope", action="append", default=[], metavar="NAME", help="a secret scope (repeatable)")
    target.add_argument(
        "--uc-secret",
        action="append",
        default=[],
        metavar="CATALOG.SCHEMA.NAME",
        help="a Unity Catalog secret (repeatable)",
    )
    a.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    a.add_argument(
        "--fail-on",
        default="high",
        metavar="SEVERITY",
        help="exit 1 when a finding is at or above this: info, low, medium, high (default), critical",
    )
    a.add_argument(
        "--deployer",
        help="the identity that deploys the stack (default: the identity the audit runs as); "
        "its own MANAGE is reported, not drift",
    )
    a.add_argument(
        "--warning-days",
        type=int,
        default=14,
        help="a key expiring within this many days is a finding (the stack's rotationWarningDays; default 14)",
    )
    a.add_argument(
        "--timeout",
        type=int,
        default=60,
        metavar="SECONDS",
        help="give up retrying an unreachable or throttling workspace after this long (default 60)",
    )
    a.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="show progress on standard error (auto: when it is a terminal)",
    )
    return p


def _progress(mode: str, err: TextIO) -> tuple[Callable[[str], None], Callable[[], None]]:
    if mode == "never" or (mode == "auto" and not err.isatty()):
        return (lambda _: None), (lambda: None)
    from rich.console import Console
    from rich.status import Status

    status = Status("auditing", console=Console(file=err))
    status.start()
    count = [0]

    def step(what: str) -> None:
        count[0] += 1
        status.update(f"auditing: {count[0]} done, now {what}")

    return step, status.stop


def audit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        threshold = Severity.parse(args.fail_on)
    except ValueError as e:
        raise UsageError(f"--fail-on: {e}") from None
    chosen = [bool(args.stack), bool(args.stack_outputs), bool(args.scope or args.uc_secret)]
    if sum(chosen) != 1:
        raise UsageError("give exactly one target: --stack, --stack-outputs, or --scope/--uc-secret")
    if args.warning_days < 0:
        raise UsageError("--warning-days must be 0 or more")
    if args.timeout < 1:
        raise UsageError("--timeout must be 1 second or more")
    target: dict[str, Any]
    if args.stack:
        declared = declared_from_outputs(read_stack_outputs(args.stack, pulumi=args.pulumi, cwd=args.cwd))
        target = {"stack": args.stack}
    elif args.stack_outputs:
        declared = declared_from_outputs(read_outputs_file(args.stack_outputs))
        target = {"stackOutputs": str(args.stack_outputs)}
    else:
        declared = declared_from_names(args.scope, args.uc_secret)
        target = {"scopes": declared.scopes, "ucSecrets": declared.uc_secrets}
    ws = Workspace(WorkspaceClient(config=Config(retry_timeout_seconds=args.timeout)))
    deployer = args.deployer or ws.me()
    target["workspace"] = ws.client.config.host
    target["deployer"] = deployer
    step, stop = _progress(args.progress, err)
    try:
        report = Auditor(
            ws,
            declared,
            deployer=deployer,
            warning_days=args.warning_days,
            now=datetime.now(timezone.utc),
            progress=step,
        ).run(target)
    finally:
        stop()
    {"table": render.table, "json": render.as_json, "markdown": render.markdown}[args.format](report, out)
    return EXIT_FINDINGS if report.failing(threshold) else EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        args = parser().parse_args(argv)
        return audit(args, out, err)
    except UsageError as e:
        err.write(f"llmkeyvault: {e}\n")
        return EXIT_ERROR
    except TargetError as e:
        err.write(f"llmkeyvault audit: {e}\n")
        return EXIT_ERROR
    except (DatabricksError, ValueError, OSError) as e:
        # Connection, authentication and API errors (the SDK's own messages name no secret).
        err.write(f"llmkeyvault audit: cannot read the workspace: {type(e).__name__}: {e}\n")
        return EXIT_ERROR
