"""Provider start-up and construct benchmarks (``make bench``).

Every figure is a median over several runs, next to a baseline measured in the
same run: a fresh ``python -c "import pulumi"``. The machine's noise moves both
alike, so the ratios are what to compare across machines.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pulumi.runtime.proto import provider_pb2  # noqa: E402
from support.standin_engine import provider_process, secret, standin_engine  # noqa: E402

TARGET_RATIO = 3.0
TARGET_PEAK_MB = 120.0
#: per-provider cost of a Construct at 1000 providers, against 100, with a scope per provider
TARGET_GROWTH = 1.5


def fresh_import(module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - start


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def vault_inputs(count: int) -> dict[str, Any]:
    return {
        "providers": [{"name": f"p{i}", "apiKey": secret(f"sk-test-bench-{i:04d}")} for i in range(count)],
        "readers": ["data-science"],
        "managers": ["platform"],
    }


def start_to_schema() -> float:
    with standin_engine() as engine:
        start = time.perf_counter()
        with provider_process(engine.address) as plugin:
            plugin.stub.GetSchema(provider_pb2.GetSchemaRequest())
            return time.perf_counter() - start


def start_to_construct(providers: int) -> tuple[float, float]:
    with standin_engine() as engine:
        start = time.perf_counter()
        with provider_process(engine.address) as plugin:
            plugin.stub.Construct(engine.construct_request("bench", vault_inputs(providers)))
            elapsed = time.perf_counter() - start
            return elapsed, peak_rss_mb(plugin.process.pid)


def construct_seconds(providers: int) -> float:
    """One Construct through a provider process, as every SDK uses it: a scope, a secret and
    grants per provider, users' MANAGE on each. The clock starts once the provider is up."""
    inputs = {
        "providers": [{"name": f"p{i}", "apiKey": secret(f"sk-test-bench-{i:04d}")} for i in range(providers)],
        "scopePerProvider": True,
        "readers": ["data-science"],
        "managers": ["users"],
        "allowWorkspaceUsers": True,
    }
    with standin_engine() as engine, provider_process(engine.address) as plugin:
        plugin.stub.GetSchema(provider_pb2.GetSchemaRequest())
        start = time.perf_counter()
        plugin.stub.Construct(engine.construct_request("bench", inputs))
        elapsed = time.perf_counter() - start
        assert len(engine.recorder.registrations) >= providers + 2
        return elapsed


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = args.runs

    # Interleave the baseline with what it is compared to, so drift hits both.
    baseline, schema, construct, peaks, databricks = [], [], [], [], []
    for _ in range(runs):
        baseline.append(fresh_import("pulumi"))
        schema.append(start_to_schema())
        elapsed, peak = start_to_construct(3)
        construct.append(elapsed)
        peaks.append(peak)
    for _ in range(3):
        databricks.append(fresh_import("pulumi_databricks"))

    base = median(baseline)
    rows = [
        ("fresh `import pulumi` (baseline)", base, 1.0),
        ("fresh `import pulumi_databricks` (avoided)", median(databricks), median(databricks) / base),
        ("provider start to GetSchema answered", median(schema), median(schema) / base),
        ("provider start to Construct done, 3 providers", median(construct), median(construct) / base),
    ]
    print(f"median of {runs} runs (import pulumi_databricks: 3 runs)\n")
    print("| measurement | median s | x baseline |")
    print("|---|---:|---:|")
    for label, seconds, ratio in rows:
        print(f"| {label} | {seconds:.3f} | {ratio:.2f} |")
    peak = median(peaks)
    print(f"\nprovider peak RSS after Construct (median VmHWM): {peak:.1f} MB")

    print("\nConstruct through the provider process, a scope per provider (median of 3):\n")
    print("| providers | median s | ms per provider |")
    print("|---:|---:|---:|")
    per_provider = {}
    for count in (10, 100, 1000):
        seconds = median([construct_seconds(count) for _ in range(3)])
        per_provider[count] = seconds / count
        print(f"| {count} | {seconds:.3f} | {1000 * seconds / count:.2f} |")
    growth = per_provider[1000] / per_provider[100]
    print(
        f"\nper-provider cost, 1000 vs 100 providers: {growth:.2f}x (1.0 is linear; target {TARGET_GROWTH}x): "
        f"{'met' if growth <= TARGET_GROWTH else 'MISSED'}"
    )

    ratio = median(construct) / base
    ok = ratio <= TARGET_RATIO and peak < TARGET_PEAK_MB and growth <= TARGET_GROWTH
    print(
        f"\ntarget: start to Construct within {TARGET_RATIO:.0f}x baseline ({ratio:.2f}x) "
        f"and peak under {TARGET_PEAK_MB:.0f} MB ({peak:.1f} MB): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
