"""`llmkeyvault audit` on a large workspace (``make bench``).

200 keys in 50 secret scopes, 2,000 users in 100 groups nested ten deep, 150 jobs
and 120 clusters whose Spark settings reference the keys, audited through the
workspace emulator's REST mode with the real databricks-sdk client. Reports the
API calls the audit made, the floor (one listing per scope, one per group, one
of jobs and one of clusters) and their ratio, which must stay within TARGET_RATIO, and the wall time
of a whole run (the command started as a user starts it; median of RUNS).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EMULATOR_CLI = ROOT / "bin" / "emulator" / "llmkeyvault-workspace-emulator"
AUDIT = Path(sys.executable).parent / "llmkeyvault"

SCOPES, KEYS_PER_SCOPE, USERS, GROUPS, DEPTH = 50, 4, 2000, 100, 10
JOBS, CLUSTERS = 150, 120
TARGET_RATIO = 2.0
RUNS = 3
DEPLOYER = "deployer@emulator.invalid"
TOKEN = "dapi-bench-token"


def workspace() -> dict[str, Any]:
    """The emulated workspace, in the emulator's own file format (workspace.json):
    written at once, since seeding 2,000 users one command at a time would measure the seeding."""
    groups: dict[str, dict[str, list[str]]] = {f"g{i:03d}": {"members": []} for i in range(GROUPS)}
    for u in range(USERS):
        groups[f"g{u % GROUPS:03d}"]["members"].append(f"u{u:04d}@example.com")
    for i in range(GROUPS):
        if i % DEPTH != DEPTH - 1:  # chains g000 > g001 > ... > g009, g010 > ...
            groups[f"g{i:03d}"]["members"].append(f"g{i + 1:03d}")
    groups["admins"] = {"members": ["u0000@example.com", "u0001@example.com"]}
    scopes = {}
    for s in range(SCOPES):
        name = f"llm-keys-{s:02d}"
        scopes[name] = {
            "name": name,
            "backendType": "DATABRICKS",
            "creator": DEPLOYER,
            "createdMs": 0,
            "secrets": {
                f"p{k}-api-key": {"valueSha256": "0" * 64, "lastUpdatedTimestamp": 0} for k in range(KEYS_PER_SCOPE)
            },
            "acls": {DEPLOYER: "MANAGE", f"g{(2 * s) % GROUPS:03d}": "READ"},
        }
    jobs, clusters = {}, {}
    for j in range(JOBS):  # job j reads key j % 4 of scope j % 50 in its job cluster
        ref = f"{{{{secrets/llm-keys-{j % SCOPES:02d}/p{j % KEYS_PER_SCOPE}-api-key}}}}"
        new_cluster = {"spark_conf": {"spark.llm.key": ref}}
        settings = {"name": f"job-{j}", "job_clusters": [{"job_cluster_key": "main", "new_cluster": new_cluster}]}
        jobs[str(j + 1)] = {"jobId": j + 1, "creatorUserName": f"u{j:04d}@example.com", "settings": settings}
    for c in range(CLUSTERS):
        ref = f"{{{{secrets/llm-keys-{c % SCOPES:02d}/p{(c + 1) % KEYS_PER_SCOPE}-api-key}}}}"
        spec = {"cluster_name": f"cluster-{c}", "spark_env_vars": {"LLM_KEY": ref}}
        clusters[f"0101-{c:06d}-bench"] = {
            "clusterId": f"0101-{c:06d}-bench",
            "creatorUserName": DEPLOYER,
            "spec": spec,
        }
    return {"formatVersion": 1, "scopes": scopes, "groups": groups, "jobs": jobs, "clusters": clusters}


def outputs() -> dict[str, Any]:
    grants = [
        {"scope": f"llm-keys-{s:02d}", "principal": f"g{(2 * s) % GROUPS:03d}", "permission": "READ"}
        for s in range(SCOPES)
    ]
    return {"scopes": [f"llm-keys-{s:02d}" for s in range(SCOPES)], "grants": grants}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "workspace"
        folder.mkdir()
        (folder / "workspace.json").write_text(json.dumps(workspace()))
        out_file = Path(tmp) / "outputs.json"
        out_file.write_text(json.dumps(outputs()))
        server = subprocess.Popen(
            [str(EMULATOR_CLI), "serve", "--dir", str(folder), "--port", "0", "--token", TOKEN],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = server.stdout.readline().strip().removeprefix("listening on ")
            env = {
                **os.environ,
                "DATABRICKS_HOST": url,
                "DATABRICKS_TOKEN": TOKEN,
                "DATABRICKS_CONFIG_FILE": str(Path(tmp) / "none"),
            }
            times, calls, keys, refs = [], 0, 0, 0
            for _ in range(RUNS):
                start = time.perf_counter()
                done = subprocess.run(
                    [str(AUDIT), "audit", "--stack-outputs", str(out_file), "--format", "json"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                times.append(time.perf_counter() - start)
                if done.returncode not in (0, 1):
                    print(done.stderr, file=sys.stderr)
                    return 1
                report = json.loads(done.stdout)
                calls, keys = report["summary"]["apiCalls"], report["summary"]["keys"]
                refs = sum(len(k["references"]) for k in report["keys"])
        finally:
            server.terminate()
            server.wait(timeout=10)
    floor = SCOPES + GROUPS + 2
    ratio = calls / floor
    print(
        f"audit of {keys} keys in {SCOPES} scopes, {USERS} users in {GROUPS} groups nested {DEPTH} deep, "
        f"{JOBS} jobs and {CLUSTERS} clusters ({refs} references found)"
    )
    print(
        f"  API calls: {calls}; floor (one listing per scope + one per group + jobs + clusters): {floor}; "
        f"ratio {ratio:.2f} (target <= {TARGET_RATIO})"
    )
    print(f"  wall time: median {statistics.median(times):.2f} s over {RUNS} runs (start-up included)")
    return 0 if ratio <= TARGET_RATIO and keys == SCOPES * KEYS_PER_SCOPE and refs == JOBS + CLUSTERS else 1


if __name__ == "__main__":
    sys.exit(main())
