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
from typing import Any

import yaml

from devtools.local_stack import ROOT, LocalStack
from devtools.programs import driver_for
from devtools.workspace import DEPLOYER

#: Unity Catalog schemas an example writes into. For real a platform team makes them (each
#: example's README says so); the demo seeds them in the emulated workspace, owned by the
#: deploying identity, before deploying. Seeding an existing schema changes nothing.
UC_SCHEMAS: dict[str, tuple[str, ...]] = {"unity-catalog-yaml": ("main.llm_keys",)}


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
    show_unity_catalog(dump)


def show_unity_catalog(dump: dict[str, Any]) -> None:
    grants = dump.get("ucGrants") or {}
    secrets = dump.get("ucSecrets") or {}
    for full, schema in sorted((dump.get("schemas") or {}).items()):
        seeded = ", seeded before the deployment" if schema.get("seeded") else ""
        print(f"  Unity Catalog schema {full} (owner {schema['owner']}{seeded})")
        for name in schema.get("secretNames") or []:
            secret = f"{full}.{name}"
            expires = (secrets.get(secret) or {}).get("expireTime")
            print(f"    secret {name}" + (f" (expires {expires})" if expires else ""))
            for principal, privileges in sorted(((grants.get("secret") or {}).get(secret) or {}).items()):
                print(f"      {', '.join(privileges):<16} {principal}")
    for kind in ("catalog", "schema"):
        for full, by_principal in sorted((grants.get(kind) or {}).items()):
            holders: dict[str, list[str]] = {}
            for principal, privileges in sorted(by_principal.items()):
                holders.setdefault(", ".join(privileges), []).append(principal)
            for privileges, principals in sorted(holders.items()):
                print(f"  {privileges} on {kind} {full}: {', '.join(principals)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("example", nargs="?", default="aws-python", help="folder under examples/")
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "demo", help="where state and workspace live")
    args = parser.parse_args()
    source = ROOT / "examples" / args.example
    stack = LocalStack(source, args.dir / args.example, stack="demo", driver=driver_for(source))
    if not stack.exists():
        stack.init({key: f"sk-test-demo-{secrets.token_hex(12)}" for key in secret_config_keys(source)})
    if args.example in UC_SCHEMAS:
        stack.seed(*UC_SCHEMAS[args.example])
        print(f"The Unity Catalog schema(s) it writes into, seeded: {', '.join(UC_SCHEMAS[args.example])}\n")
    print(f"Deploying examples/{args.example} to the workspace emulator (state in {stack.state})\n")
    result = stack.up()
    print(result.stdout)
    print("Stack outputs:")
    print(json.dumps(stack.outputs(), indent=2, sort_keys=True))
    show_workspace(stack.workspace_dump())
    return 0


if __name__ == "__main__":
    sys.exit(main())
