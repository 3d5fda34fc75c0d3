"""`make demo`: deploy an example against the workspace emulator, then show it.

The real Pulumi engine deploys the example with the built llmkeyvault plugin;
the databricks, random and azure-native plugins are the workspace emulator, a
test double that keeps an emulated workspace in build/demo/. Keys are fake
(`sk-test-demo-...`), generated on the first run and kept only in the stack's
encrypted configuration. Running the demo again changes nothing.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

import yaml

from devtools.local_stack import ROOT, LocalStack
from devtools.programs import driver_for
from devtools.workspace import DEPLOYER


def secret_config_keys(project: Path) -> list[str]:
    with (project / "Pulumi.yaml").open(encoding="utf-8") as f:
        config = yaml.safe_load(f).get("config") or {}
    return [key for key, spec in config.items() if isinstance(spec, dict) and spec.get("secret")]


def show_workspace(dump: dict[str, object]) -> None:
    scopes = dump.get("scopes") or {}
    assert isinstance(scopes, dict)
    print("\nThe emulated workspace now holds (names only; values are never shown):")
    for name, scope in sorted(scopes.items()):
        print(f"  scope {name} ({scope['backendType']})")
        for key in scope.get("secretKeys") or []:
            print(f"    secret {key}")
        for principal, level in sorted((scope.get("acls") or {}).items()):
            print(f"    {level:<6} {principal}")
    if any(DEPLOYER in (scope.get("acls") or {}) for scope in scopes.values()):
        print(f"  ({DEPLOYER} is the identity that deployed: a scope's creator holds MANAGE on it)")
    vaults = dump.get("vaults") or {}
    assert isinstance(vaults, dict)
    for name, vault in sorted(vaults.items()):
        print(f"  key vault {name}: {', '.join(vault.get('secretNames') or []) or '(empty)'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("example", nargs="?", default="aws-python", help="folder under examples/")
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "demo", help="where state and workspace live")
    args = parser.parse_args()
    source = ROOT / "examples" / args.example
    stack = LocalStack(source, args.dir / args.example, stack="demo", driver=driver_for(source))
    if not stack.exists():
        stack.init({key: f"sk-test-demo-{secrets.token_hex(12)}" for key in secret_config_keys(source)})
    print(f"Deploying examples/{args.example} to the workspace emulator (state in {stack.state})\n")
    result = stack.up()
    print(result.stdout)
    print("Stack outputs:")
    print(json.dumps(stack.outputs(), indent=2, sort_keys=True))
    show_workspace(stack.workspace_dump())
    return 0


if __name__ == "__main__":
    sys.exit(main())
