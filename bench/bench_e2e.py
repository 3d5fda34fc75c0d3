"""End-to-end benchmarks through the real engine against the workspace emulator.

- `make demo`, warm (second and later runs: nothing to change);
- `pulumi up` of a 20-provider vault with 200 ms per emulated call, against
  the critical-path minimum (the scope, then every secret and ACL side by side)
  and the serial sum of its calls;
- the provider's share of a `pulumi preview`: the preview's wall time next to
  the llmkeyvault plugin's own start-to-Construct time in the same run.
Medians over several runs. `make bench` builds what this needs first.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from devtools.local_stack import LocalStack  # noqa: E402

LATENCY_MS = 200
PROVIDERS = 20


def vault_project(folder: Path, providers: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    project = {
        "name": "bench-vault",
        "runtime": "yaml",
        "config": {"apiKey": {"type": "string", "secret": True}},
        "resources": {
            "vault": {
                "type": "llmkeyvault:LlmKeyVault",
                "properties": {
                    "scopeName": "bench",
                    "providers": [{"name": f"p{i:02d}", "apiKey": "${apiKey}"} for i in range(providers)],
                    "readers": ["data-science", "analysts"],
                    "managers": ["platform-admins"],
                },
            }
        },
    }
    (folder / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    return folder


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def up_with_latency(work: Path, parallel: int | None) -> tuple[float, float, float, int]:
    source = vault_project(work / "source", PROVIDERS)
    stack = LocalStack(source, work / "stack", extra_env={"LLMKEYVAULT_EMULATOR_LATENCY_MS": str(LATENCY_MS)})
    stack.init({"apiKey": "sk-test-bench-0000"})
    up = stack.up(*(["--parallel", str(parallel)] if parallel else []))
    calls = [c for c in stack.workspace_dump()["log"] if c["op"] == "create"]
    serial = sum(c["endMs"] - c["startMs"] for c in calls) / 1000
    span = (max(c["endMs"] for c in calls) - min(c["startMs"] for c in calls)) / 1000
    stack.destroy()
    return up.seconds, span, serial, len(calls)


def preview_share(work: Path) -> tuple[float, float]:
    from bench_provider import start_to_construct

    source = vault_project(work / "source", 3)
    stack = LocalStack(source, work / "stack")
    stack.init({"apiKey": "sk-test-bench-0000"})
    preview = stack.preview().seconds
    provider, _ = start_to_construct(3)
    return preview, provider


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        demo_dir = Path(tmp) / "demo"
        demo = [sys.executable, "-m", "devtools.demo", "aws-python", "--dir", str(demo_dir)]
        timed(demo)  # the first run creates; the rest are warm
        warm = statistics.median(timed(demo) for _ in range(runs))

        settings: dict[str, int | None] = {"engine default (4 x CPUs)": None, "--parallel 32": 32}
        ups: dict[str, list[float]] = {k: [] for k in settings}
        spans: dict[str, list[float]] = {k: [] for k in settings}
        serials: list[float] = []
        previews, providers = [], []
        calls = 0
        for i in range(runs):
            for label, parallel in settings.items():
                up, span, serial, calls = up_with_latency(Path(tmp) / f"up{i}-{parallel}", parallel)
                ups[label].append(up)
                spans[label].append(span)
                serials.append(serial)
            preview, provider = preview_share(Path(tmp) / f"preview{i}")
            previews.append(preview)
            providers.append(provider)

    critical = 2 * LATENCY_MS / 1000
    m = statistics.median
    print(f"medians of {runs} runs\n")
    print(f"make demo (examples/aws-python), warm (nothing to change): {warm:.2f} s\n")
    print(f"pulumi up, {PROVIDERS}-provider vault, {LATENCY_MS} ms per emulated call ({calls} calls):\n")
    print("| engine parallelism | whole `pulumi up` s | first to last emulated call s |")
    print("|---|---:|---:|")
    for label in settings:
        print(f"| {label} | {m(ups[label]):.2f} | {m(spans[label]):.2f} |")
    print(f"\ncritical-path minimum (the scope, then secrets and ACLs side by side): {critical:.2f} s")
    print(f"serial sum of the calls: {m(serials):.2f} s")
    print(
        f"\npulumi preview of a 3-provider vault: {m(previews):.2f} s; llmkeyvault plugin start to "
        f"Construct done: {m(providers):.2f} s ({100 * m(providers) / m(previews):.0f}% of the preview)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
