"""The last step of `make demo`: someone adds an ACL by hand, and `llmkeyvault audit` finds it.

The audit reads the vault stack's outputs with the Pulumi CLI and the workspace with
databricks-sdk, over the workspace emulator's REST mode (`serve`), as it would read a
real workspace with DATABRICKS_HOST and DATABRICKS_TOKEN set.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from devtools.local_stack import EMULATOR_CLI, PULUMI, ROOT, LocalStack

#: `make demo` builds it (mk/audit.mk); the development environment has its own
AUDIT_CLI = ROOT / "build" / "audit-venv" / "bin" / "llmkeyvault"


def audit_cli() -> Path:
    return AUDIT_CLI if AUDIT_CLI.exists() else Path(sys.executable).parent / "llmkeyvault"


#: the ACL added by hand: a contractor given MANAGE on the vault's scope, outside the stack
HAND_ADDED = ("contractor@example.com", "MANAGE")
#: the workspace's people and groups, as its admins made them (groups nest)
MEMBERS = (
    ("data-science", "ana@example.com"),
    ("data-science", "ml-interns"),
    ("ml-interns", "bo@example.com"),
    ("ml-engineers", "chen@example.com"),
    ("platform-admins", "ops@example.com"),
    ("admins", "root@example.com"),
)


def audit_after_a_hand_added_acl(stack: LocalStack, scope: str, stack_name: str) -> int:
    principal, permission = HAND_ADDED
    for group, member in MEMBERS:
        stack.emulator("add-member", "--group", group, "--member", member)
    stack.emulator("add-service-principal", "--application-id", "llm-serving-app", "--display-name", "LLM serving app")
    stack.emulator("add-user", "--name", principal)
    print(f"\nBy hand, outside the stack: {permission} on scope {scope} for {principal}.")
    stack.emulator("put-acl", "--scope", scope, "--principal", principal, "--permission", permission)
    token = f"dapi-demo-{secrets.token_hex(8)}"
    server = subprocess.Popen(
        [str(EMULATOR_CLI), "serve", "--dir", str(stack.workspace), "--port", "0", "--token", token],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip().removeprefix("listening on ")
        argv = [str(audit_cli()), "audit", "--stack", stack_name, "--cwd", str(stack.project), "--pulumi", str(PULUMI)]
        print(f"\n$ llmkeyvault audit --stack {stack_name}   (DATABRICKS_HOST={url})\n", flush=True)
        env = {**stack.env, "DATABRICKS_HOST": url, "DATABRICKS_TOKEN": token, "COLUMNS": "150"}
        done = subprocess.run(argv, env=env, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nllmkeyvault audit exited {done.returncode} (1: findings at or above --fail-on high).")
    return done.returncode
