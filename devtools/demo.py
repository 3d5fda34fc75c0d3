"""`make demo`: deploy an example against the workspace emulator, then show it.

The real Pulumi engine deploys the example with the built llmkeyvault plugin;
the databricks, random and azure-native plugins are the workspace emulator, a
test double that keeps an emulated workspace. Keys are fake (`sk-test-demo-...`),
generated on the first run and kept only in the stack's encrypted configuration.
Running the demo again changes nothing.

`external` (`make demo DEMO_EXAMPLE=external`) is a vault with a key kept outside
Pulumi (devtools/demo_external): after the vault, the demo writes that key into its
scope as the security team would, with the emulator's stand-in for
`databricks secrets put-secret`, so the consumer can use it; the stack never holds it.

With a consumer (`--consumer serving-yaml`, the default of `make demo`), a
second stack then reads the vault stack's outputs through a StackReference and
creates a Model Serving endpoint with its references, as an application's
service principal that the vault lists among its readers.

Each example has a folder of its own, build/demo/<example>/: its state backend,
passphrase and emulated workspace, shared by the vault (vault/) and each of its
consumers (<consumer>/). Examples that name the same scope so never meet, and
the vault stays where it is with or without a consumer: every example and
consumer can follow any other, in any order. The vault lists the consumer's
identity among its readers from its first run, consumer or not, so a consumer
can be added later without changing the vault.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from devtools.audit_demo import audit_after_a_hand_added_acl
from devtools.local_stack import ROOT, LocalStack
from devtools.programs import driver_for
from devtools.workspace import DEPLOYER

#: Unity Catalog schemas an example writes into. For real a platform team makes them (each
#: example's README says so); the demo seeds them in the emulated workspace, owned by the
#: deploying identity, before deploying. Seeding an existing schema changes nothing.
UC_SCHEMAS: dict[str, tuple[str, ...]] = {"unity-catalog-yaml": ("main.llm_keys",)}

#: demo programs that are not examples, by the name `make demo DEMO_EXAMPLE=` takes
VARIANTS: dict[str, Path] = {"external": ROOT / "devtools" / "demo_external"}
#: the principal that writes external keys in the `external` variant (the vault's writers)
SECURITY_TEAM = "security-team"


def write_external_keys(stack: LocalStack, outputs: dict[str, Any]) -> None:
    """Write each external key that is not in its scope yet, as `databricks secrets put-secret` would.

    Generated fake values, on the CLI's standard input only; an existing key is left as it is
    (a rotation is the same command with a new value, and changes nothing in the stack).
    """
    dump = stack.workspace_dump()
    for provider in outputs.get("externalKeys") or []:
        scope, key = outputs["scopeNames"][provider], outputs["secretKeys"][provider]
        if key in ((dump.get("secrets") or {}).get(scope) or {}):
            continue
        value = f"sk-test-demo-{secrets.token_hex(12)}"
        stack.emulator_stdin("put-secret", value, "--scope", scope, "--key", key, "--caller", SECURITY_TEAM)
        print(f"External key of {provider} written by {SECURITY_TEAM}, outside Pulumi, as")
        print(f"  databricks secrets put-secret {scope} {key} < {provider}.key")


def secret_config_keys(project: Path) -> list[str]:
    with (project / "Pulumi.yaml").open(encoding="utf-8") as f:
        config = yaml.safe_load(f).get("config") or {}
    return [key for key, spec in config.items() if isinstance(spec, dict) and spec.get("secret")]


#: the identity the consumer deploys as (its `databricks:clientId`); the demo adds it to the vault's readers
SERVING_IDENTITY = "llm-serving-app"


def project_config(project: Path) -> dict[str, Any]:
    with (project / "Pulumi.yaml").open(encoding="utf-8") as f:
        config: dict[str, Any] = yaml.safe_load(f).get("config") or {}
    return config


def readers_config(project: Path) -> tuple[str, list[str]] | None:
    """The vault example's configurable list of readers (its name and default), if it has one."""
    for key, spec in project_config(project).items():
        if isinstance(spec, dict) and spec.get("type") == "array" and "reader" in key.lower():
            return key, list(spec.get("default") or [])
    return None


def project_name(project: Path) -> str:
    with (project / "Pulumi.yaml").open(encoding="utf-8") as f:
        return str(yaml.safe_load(f)["name"])


def show_endpoints(dump: dict[str, Any]) -> None:
    print("\nModel Serving endpoints (the references they use; values are never shown):")
    for name, endpoint in sorted((dump.get("servingEndpoints") or {}).items()):
        print(f"  endpoint {name} (created by {endpoint['creator']})")
        for reference in endpoint.get("secretReferences") or []:
            print(f"    uses {reference}")


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


#: what a consumer reads from the vault's outputs: ``(output, provider)``
CONSUMER_NEEDS: dict[str, tuple[str, str]] = {"serving-yaml": ("externalModels", "openai")}

#: what an earlier version of the demo kept directly in the demo folder and an example's folder
LEGACY = ("project", "pulumi-home")


def room(folder: Path, example: str) -> Path:
    """The example's own folder: state, passphrase and emulated workspace of its vault and consumers.

    An example's folder as an earlier version of the demo laid it out (the project copy at its
    top, state shared by all examples in ``shared/``) is removed first: it holds only fake keys
    and an emulated workspace, and its passphrase no longer matches where the state now lives.
    """
    here = folder / example
    if any((here / name).exists() for name in LEGACY):
        print(f"Removing {here}, laid out by an earlier version of the demo\n")
        shutil.rmtree(here)
    if (folder / "shared" / "state").is_dir() and not (ROOT / "examples" / "shared").exists():
        shutil.rmtree(folder / "shared")  # the earlier version's backend shared by every example
    return here


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("example", nargs="?", default="aws-python", help="folder under examples/")
    parser.add_argument(
        "--consumer", default="", help="folder under examples/ deployed after the vault, reading it by StackReference"
    )
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "demo", help="where state and workspace live")
    args = parser.parse_args()
    if args.consumer and args.consumer not in CONSUMER_NEEDS:
        parser.error(f"examples/{args.consumer} is not deployed by the demo; use one of {', '.join(CONSUMER_NEEDS)}")
    source = VARIANTS.get(args.example) or ROOT / "examples" / args.example
    shared = room(args.dir, args.example)
    stack = LocalStack(source, shared / "vault", stack="demo", driver=driver_for(source), shared=shared)
    if not stack.exists():
        stack.init({key: f"sk-test-demo-{secrets.token_hex(12)}" for key in secret_config_keys(source)})
        readers = readers_config(source)
        if readers is not None:
            key, default = readers
            for i, reader in enumerate([*default, SERVING_IDENTITY]):
                stack.run("config", "set", "--path", f"{key}[{i}]", reader)
    if args.example in UC_SCHEMAS:
        stack.seed(*UC_SCHEMAS[args.example])
        print(f"The Unity Catalog schema(s) it writes into, seeded: {', '.join(UC_SCHEMAS[args.example])}\n")
    print(f"Deploying {source.relative_to(ROOT)} to the workspace emulator (state in {stack.state})\n")
    result = stack.up()
    print(result.stdout)
    print("Stack outputs:")
    outputs = stack.outputs()
    print(json.dumps(outputs, indent=2, sort_keys=True))
    if outputs.get("externalKeys"):
        print()
        write_external_keys(stack, outputs)
    show_workspace(stack.workspace_dump())
    if args.consumer:
        output, provider = CONSUMER_NEEDS[args.consumer]
        if provider not in (outputs.get(output) or {}):
            print(f"\nexamples/{args.example} exports no {output}.{provider}, which examples/{args.consumer} reads:")
            print("the consumer is not deployed (DEMO_CONSUMER= skips it; DEMO_EXAMPLE=yaml or aws-python has it).")
        else:
            vault_stack = f"organization/{project_name(source)}/{stack.stack}"
            deploy_consumer(args.consumer, shared, vault_stack, readers_config(source))
    if outputs.get("scopes"):
        audit_after_a_hand_added_acl(stack, outputs["scopes"][0], f"organization/{project_name(source)}/{stack.stack}")
    return 0


def deploy_consumer(example: str, shared: Path, vault_stack: str, readers: tuple[str, list[str]] | None) -> None:
    source = ROOT / "examples" / example
    consumer = LocalStack(source, shared / example, stack="demo", driver=driver_for(source), shared=shared)
    if not consumer.exists():
        # The consumer deploys as the application's service principal when the vault lists it
        # among its readers, else as the vault's own deploying identity (MANAGE on its scope).
        identity = {"databricks:clientId": SERVING_IDENTITY} if readers is not None else {}
        consumer.init({}, {"vaultStack": vault_stack, **identity})
    print(f"\nDeploying examples/{example}, which reads {vault_stack} through a StackReference\n")
    print(consumer.up().stdout)
    print("Stack outputs:")
    print(json.dumps(consumer.outputs(), indent=2, sort_keys=True))
    show_endpoints(consumer.workspace_dump())


if __name__ == "__main__":
    sys.exit(main())
