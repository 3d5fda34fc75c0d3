"""Run a Python example's program through the Automation API, inline.

    python python_inline.py up|preview|destroy --stack NAME [--expect-no-changes]
        [--policy-pack DIR [--policy-pack-config FILE]]...

Run in the example's folder (its Pulumi.yaml and stack settings are used as
they are). The program is the example's own ``__main__.py``, executed inside
the Automation API's in-process language runtime, so the real Pulumi engine
deploys it without a separate Python language host plugin. The engine's
output goes to stdout; a failed operation exits non-zero.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

import yaml
from pulumi import automation as auto


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("op", choices=["up", "preview", "destroy"])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--expect-no-changes", action="store_true")
    parser.add_argument("--policy-pack", action="append", default=[], help="run this policy pack (up, preview)")
    parser.add_argument("--policy-pack-config", action="append", default=[], help="its configuration (JSON)")
    args = parser.parse_args()

    work_dir = Path.cwd()
    sys.path.insert(0, str(work_dir))

    def program() -> None:
        runpy.run_path(str(work_dir / "__main__.py"), run_name="__main__")

    pulumi_bin = Path(os.environ["LLMKEYVAULT_PULUMI"])
    with (work_dir / "Pulumi.yaml").open(encoding="utf-8") as f:
        project_name = yaml.safe_load(f)["name"]
    stack = auto.select_stack(
        args.stack,
        project_name=project_name,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            pulumi_command=auto.PulumiCommand(str(pulumi_bin.parent.parent)),
        ),
    )
    packs: list[str] | None = args.policy_pack or None
    pack_configs: list[str] | None = args.policy_pack_config or None
    try:
        if args.op == "up":
            stack.up(on_output=print, color="never", policy_packs=packs, policy_pack_configs=pack_configs)
        elif args.op == "preview":
            stack.preview(
                on_output=print,
                color="never",
                expect_no_changes=args.expect_no_changes,
                policy_packs=packs,
                policy_pack_configs=pack_configs,
            )
        else:
            stack.destroy(on_output=print, color="never")
    except auto.errors.CommandError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
