"""`make policy-demo`: the llmkeyvault-guardrails policy pack at work.

Previews, against the workspace emulator and with ``--policy-pack policy``, first
a program written the way teams kept LLM keys before LlmKeyVault (raw
pulumi-databricks, tests/e2e/raw-databricks), which the pack stops; then the same
kind of grant placed under a real LlmKeyVault, which the pack stops too, since the
component did not make it; then an example that uses the component, which passes
with no violation. Nothing is deployed. State and the emulated workspace live in
build/policy-demo/.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from devtools.demo import secret_config_keys
from devtools.local_stack import ROOT, LocalStack, Result
from devtools.programs import driver_for

POLICY_PACK = ROOT / "policy"
RAW_PROGRAM = ROOT / "tests" / "e2e" / "raw-databricks"


def vault_program(project: str, vault: dict[str, Any], resources: dict[str, Any] | None = None) -> str:
    """A YAML program (Pulumi.yaml) with one LlmKeyVault, ``llmKeys``, holding an OpenAI key
    from the secret setting ``openaiApiKey``, given ``vault``'s other properties; then
    ``resources`` as written (they may say ``options: {parent: "${llmKeys}"}``)."""
    properties = {"providers": [{"name": "openai", "apiKey": "${openaiApiKey}"}], **vault}
    program = {
        "name": project,
        "runtime": "yaml",
        "config": {"openaiApiKey": {"type": "string", "secret": True}},
        "resources": {"llmKeys": {"type": "llmkeyvault:LlmKeyVault", "properties": properties}, **(resources or {})},
    }
    return yaml.safe_dump(program, sort_keys=False)


#: an ACL every user manages, placed under a real LlmKeyVault as if it were the component's
UNDER_THE_COMPONENT = vault_program(
    "llm-keys-under-the-component",
    {"readers": ["data-science"]},
    {
        "everyoneManages": {
            "type": "databricks:SecretAcl",
            "properties": {"scope": "${llmKeys.scopes[0]}", "principal": "users", "permission": "MANAGE"},
            "options": {"parent": "${llmKeys}"},
        }
    },
)


def policy_section(result: Result) -> str:
    """What the engine printed from its Policies: section on (the whole output if none)."""
    text = result.stdout + result.stderr
    start = text.find("Policies:")
    return text[start:] if start >= 0 else text


def preview_with_pack(source: Path, root: Path, *extra: str) -> tuple[LocalStack, Result]:
    stack = LocalStack(source, root, driver=driver_for(source), built_plugin=source != RAW_PROGRAM)
    stack.init({key: f"sk-test-policy-{secrets.token_hex(8)}" for key in secret_config_keys(source)})
    return stack, stack.preview("--policy-pack", str(POLICY_PACK), *extra, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("example", nargs="?", default="yaml", help="folder under examples/ to preview last")
    parser.add_argument("--dir", type=Path, default=ROOT / "build" / "policy-demo")
    args = parser.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)

    print("1. A raw pulumi-databricks program (tests/e2e/raw-databricks/Pulumi.yaml):")
    print("   a scope every user manages, a pasted key, no delete-before-replace, `users` READ.\n")
    _, raw = preview_with_pack(RAW_PROGRAM, args.dir / "raw")
    print(policy_section(raw))
    print(f"   -> pulumi preview exited {raw.returncode}: the mandatory violations stop it.\n")

    print("2. The same kind of grant given `options: parent: ${llmKeys}`, a real LlmKeyVault:\n")
    source = args.dir / "under-the-component-source"
    source.mkdir(parents=True)
    (source / "Pulumi.yaml").write_text(UNDER_THE_COMPONENT, encoding="utf-8")
    _, under = preview_with_pack(source, args.dir / "under-the-component")
    print(policy_section(under))
    print(f"   -> pulumi preview exited {under.returncode}: the component did not make that grant.\n")

    print(f"3. examples/{args.example}, which keeps its keys through LlmKeyVault:\n")
    _, good = preview_with_pack(ROOT / "examples" / args.example, args.dir / args.example)
    print(good.stdout)
    print(f"   -> pulumi preview exited {good.returncode}, with no policy violation.")
    return 0 if raw.returncode != 0 and under.returncode != 0 and good.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
