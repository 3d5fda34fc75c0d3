"""End-to-end benchmarks through the real engine against the workspace emulator.

- `make demo`, warm (second and later runs: nothing to change);
- `pulumi up` of a 20-provider vault with 200 ms per emulated call, against
  the critical-path minimum (the scope, then every secret and ACL side by side)
  and the serial sum of its calls;
- the provider's share of a `pulumi preview`: the preview's wall time next to
  the llmkeyvault plugin's own start-to-Construct time in the same run;
- against the way it is done without this package: `pulumi preview` of
  examples/aws-python next to the same scope, three keys and three ACLs written as
  raw pulumi_databricks resources (bench/raw_databricks), through the same engine,
  driver and emulator, interleaved: wall time and peak memory.
Medians over several runs. `make bench` builds what this needs first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from devtools.local_stack import LocalStack, yaml_vault_project  # noqa: E402
from devtools.programs import driver_for  # noqa: E402

LATENCY_MS = 200
PROVIDERS = 20
EXAMPLE = ROOT / "examples" / "aws-python"
RAW = ROOT / "bench" / "raw_databricks"
RAW_KEYS = {
    "openaiApiKey": "sk-test-bench-openai-0000",
    "anthropicApiKey": "sk-test-bench-anthropic-0000",
    "bedrockSecretAccessKey": "sk-test-bench-bedrock-0000",
}


def vault_project(folder: Path, providers: int) -> Path:
    return yaml_vault_project(
        folder,
        "bench-vault",
        {
            "scopeName": "bench",
            "providers": [{"name": f"p{i:02d}", "apiKey": "${apiKey}"} for i in range(providers)],
            "readers": ["data-science", "analysts"],
            "managers": ["platform-admins"],
        },
        resource="vault",
    )


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


@dataclass
class Measured:
    seconds: float
    #: most memory the process tree (driver, engine, plugins) held at once, summed over its processes
    tree_peak_mb: float
    #: the driver's own peak, the process that runs the program and imports its SDKs
    driver_peak_mb: float


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in kB; zeros once it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


def measured_preview(stack: LocalStack, interval: float = 0.02) -> Measured:
    """`preview` of the stack through its driver, sampling the memory of its process tree."""
    assert stack.driver is not None
    start = time.perf_counter()
    process = subprocess.Popen(
        [*stack.driver, "preview", "--stack", stack.stack],
        cwd=stack.project,
        env=stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    tree_peak = driver_peak = 0
    while process.poll() is None:
        tree, pids, total = _children(), [process.pid], 0
        while pids:
            pid = pids.pop()
            rss, hwm = _memory_kb(pid)
            total += rss
            if pid == process.pid:
                driver_peak = max(driver_peak, hwm)
            pids.extend(tree.get(pid, []))
        tree_peak = max(tree_peak, total)
        time.sleep(interval)
    seconds = time.perf_counter() - start
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise AssertionError(f"preview of {stack.source} failed: {stderr.decode(errors='replace')[-2000:]}")
    return Measured(seconds, tree_peak / 1024, driver_peak / 1024)


def component_versus_raw(work: Path, runs: int) -> dict[str, list[Measured]]:
    """examples/aws-python against bench/raw_databricks, `pulumi preview` each, interleaved."""
    stacks = {}
    for label, source in (("LlmKeyVault (examples/aws-python)", EXAMPLE), ("raw pulumi_databricks", RAW)):
        stack = LocalStack(source, work / source.name, driver=driver_for(source))
        stack.init(RAW_KEYS)
        measured_preview(stack)  # the first run warms the plugin caches; it is not counted
        stacks[label] = stack
    results: dict[str, list[Measured]] = {label: [] for label in stacks}
    for _ in range(runs):
        for label, stack in stacks.items():
            results[label].append(measured_preview(stack))
    return results


def print_versus(versus: dict[str, list[Measured]]) -> None:
    m = statistics.median
    print(
        "\npulumi preview, the same scope, 3 keys and 3 ACLs, through the same engine, Python driver "
        "and emulator, interleaved:\n"
    )
    print("| program | wall s | peak memory, whole tree MB | peak memory, program process MB |")
    print("|---|---:|---:|---:|")
    rows = {
        label: (m(r.seconds for r in runs), m(r.tree_peak_mb for r in runs), m(r.driver_peak_mb for r in runs))
        for label, runs in versus.items()
    }
    for label, (wall, tree, driver) in rows.items():
        print(f"| {label} | {wall:.2f} | {tree:.0f} | {driver:.0f} |")
    ours, raw = rows.values()
    print(f"| LlmKeyVault / raw | {ours[0] / raw[0]:.2f}x | {ours[1] / raw[1]:.2f}x | {ours[2] / raw[2]:.2f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--versus-only", action="store_true", help="only the comparison with raw pulumi_databricks")
    args = parser.parse_args()
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        if args.versus_only:
            print(f"medians of {runs} runs")
            print_versus(component_versus_raw(Path(tmp) / "versus", runs))
            return 0
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
        versus = component_versus_raw(Path(tmp) / "versus", runs)

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
    print_versus(versus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
