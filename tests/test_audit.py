"""`llmkeyvault audit` against the workspace emulator's REST mode, through the real
databricks-sdk client (no mock of it): effective access with its paths, findings,
formats and exit codes, and that no secret value is ever asked for."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from conftest import make
from llmkeyvault_audit.cli import main

from devtools.local_stack import EMULATOR_CLI, run_emulator

pytestmark = pytest.mark.slow

TOKEN = "dapi-test-audit-token"
DEPLOYER = "deployer@emulator.invalid"
SP = "11111111-2222-3333-4444-555555555555"


@dataclass
class Rest:
    dir: Path
    url: str
    process: subprocess.Popen[str]

    def emu(self, *args: str, stdin: str | None = None) -> None:
        run_emulator(self.dir, *args, stdin=stdin)

    def calls(self) -> dict[str, int]:
        with urlopen(self.url + "/emulator/calls") as r:
            calls: dict[str, int] = json.load(r)["calls"]
        return calls


@pytest.fixture(scope="module")
def emulator_built() -> None:
    make("emulator")


def start_rest(folder: Path) -> Rest:
    process = subprocess.Popen(
        [str(EMULATOR_CLI), "serve", "--dir", str(folder), "--port", "0", "--token", TOKEN],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("listening on http://"), line
    return Rest(folder, line.removeprefix("listening on "), process)


@pytest.fixture
def rest(emulator_built: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rest]:
    r = start_rest(tmp_path / "workspace")
    monkeypatch.setenv("DATABRICKS_HOST", r.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no-databrickscfg"))
    try:
        yield r
    finally:
        r.process.terminate()
        r.process.wait(timeout=10)


def audit(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["audit", *args], out, err)
    return code, out.getvalue(), err.getvalue()


def audit_json(tmp_path: Path, outputs: dict[str, Any], *args: str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    code, out, err = audit("--stack-outputs", str(path), "--format", "json", *args)
    assert code in (0, 1), err
    report: dict[str, Any] = json.loads(out)
    return code, report


def codes(report: dict[str, Any]) -> set[tuple[str, str, str | None, str | None]]:
    return {(f["severity"], f["code"], f["key"], f["principal"]) for f in report["findings"]}


def access(report: dict[str, Any], key: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Each principal's first (closest) access to the key."""
    (k,) = [k for k in report["keys"] if k["id"] == key]
    found: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for a in k["access"]:
        found.setdefault(a["principal"], (a["permission"], a["source"], tuple(a["path"])))
    return found


def scope_vault(rest: Rest) -> dict[str, Any]:
    """One scope with one key, READ for group llm-readers (nested group, service principal,
    a membership cycle), as the stack declares it."""
    rest.emu("put-scope", "--scope", "llm-keys")
    rest.emu(
        "put-secret",
        "--scope",
        "llm-keys",
        "--key",
        "openai-api-key",
        "--digest-of-stdin",
        stdin="sk-test-audit-openai-0000",
    )
    rest.emu("put-acl", "--scope", "llm-keys", "--principal", "llm-readers", "--permission", "READ")
    rest.emu("add-member", "--group", "llm-readers", "--member", "alice@example.com")
    rest.emu("add-member", "--group", "llm-readers", "--member", "ml-team")
    rest.emu("add-member", "--group", "ml-team", "--member", "bob@example.com")
    rest.emu("add-member", "--group", "ml-team", "--member", "llm-readers")  # a cycle
    rest.emu("add-service-principal", "--application-id", SP, "--display-name", "serving app")
    rest.emu("add-member", "--group", "ml-team", "--member", SP)
    rest.emu("add-member", "--group", "admins", "--member", "root@example.com")
    return {
        "scopes": ["llm-keys"],
        "scopeNames": {"openai": "llm-keys"},
        "secretKeys": {"openai": "openai-api-key"},
        "grants": [{"scope": "llm-keys", "principal": "llm-readers", "permission": "READ"}],
    }


def test_every_reader_is_listed_with_its_path_and_a_hand_added_acl_is_drift(rest: Rest, tmp_path: Path) -> None:
    outputs = scope_vault(rest)
    code, report = audit_json(tmp_path, outputs)
    assert code == 0, report["findings"]
    who = access(report, "llm-keys/openai-api-key")
    assert who["bob@example.com"] == (
        "READ",
        "acl",
        (
            "scope ACL: READ to llm-readers",
            "llm-readers has member group ml-team",
            "ml-team has member bob@example.com",
        ),
    )
    assert who[SP][0] == "READ" and who[SP][1] == "acl"
    assert who["alice@example.com"][2] == ("scope ACL: READ to llm-readers", "llm-readers has member alice@example.com")
    assert who["root@example.com"] == ("MANAGE", "admin", ("workspace admin", "admins has member root@example.com"))
    assert who[DEPLOYER][0] == "MANAGE"
    # The deployer's own MANAGE and the admins are reported, not drift; membership is membership.
    assert {c for c in codes(report) if c[0] != "info"} == set()
    assert ("info", "deployer-manage", "llm-keys", DEPLOYER) in codes(report)
    assert ("info", "group-membership", "llm-keys", "llm-readers") in codes(report)

    rest.emu("add-user", "--name", "contractor@example.com")
    rest.emu("put-acl", "--scope", "llm-keys", "--principal", "contractor@example.com", "--permission", "MANAGE")
    rest.emu("add-member", "--group", "ml-team", "--member", "carol@example.com")
    code, report = audit_json(tmp_path, outputs)
    assert code == 1
    high = {c for c in codes(report) if c[0] != "info"}
    assert high == {("high", "undeclared-access", "llm-keys", "contractor@example.com")}
    assert "carol@example.com" in access(report, "llm-keys/openai-api-key")

    rest.emu("delete-acl", "--scope", "llm-keys", "--principal", "contractor@example.com")
    assert audit_json(tmp_path, outputs)[0] == 0
    calls = rest.calls()
    assert "GET secrets/get" not in calls and "not-served" not in calls
    assert calls["GET secrets/acls/list"] == 3


def test_workspace_users_and_missing_declared_access(rest: Rest, tmp_path: Path) -> None:
    outputs = scope_vault(rest)
    outputs["grants"].append({"scope": "llm-keys", "principal": "platform-team", "permission": "MANAGE"})
    rest.emu("put-acl", "--scope", "llm-keys", "--principal", "users", "--permission", "READ")
    rest.emu("put-acl", "--scope", "llm-keys", "--principal", "ghost-team", "--permission", "READ")
    code, report = audit_json(tmp_path, outputs)
    assert code == 1
    found = codes(report)
    assert ("low", "principal-unknown", None, "ghost-team") in found
    assert access(report, "llm-keys/openai-api-key")["ghost-team"][:2] == ("READ", "acl")
    assert ("critical", "everyone-can-read", "llm-keys", "users") in found
    assert ("high", "undeclared-access", "llm-keys", "users") in found
    assert ("high", "declared-access-missing", "llm-keys", "platform-team") in found
    assert access(report, "llm-keys/openai-api-key")["users"][2] == ("scope ACL: READ to users", "users: every user")


def test_expired_expiring_and_missing_external_keys_are_findings(rest: Rest, tmp_path: Path) -> None:
    outputs = scope_vault(rest)
    outputs["scopeNames"] |= {"anthropic": "llm-keys", "cohere": "llm-keys"}
    outputs["secretKeys"] |= {"anthropic": "anthropic-api-key", "cohere": "cohere-api-key"}
    outputs["externalKeys"] = ["anthropic"]
    rest.emu(
        "put-secret",
        "--scope",
        "llm-keys",
        "--key",
        "cohere-api-key",
        "--digest-of-stdin",
        stdin="sk-test-audit-cohere-0000",
    )
    outputs["expirations"] = {"openai": "2020-01-31T00:00:00Z", "cohere": "2999-01-01T00:00:00Z"}
    code, report = audit_json(tmp_path, outputs)
    assert code == 1
    found = codes(report)
    assert ("high", "key-expired", "llm-keys/openai-api-key", None) in found
    assert ("high", "external-value-missing", "llm-keys/anthropic-api-key", None) in found
    assert not any(c[1] == "key-expiring" for c in found)
    code, report = audit_json(tmp_path, outputs, "--warning-days", "500000")
    assert ("medium", "key-expiring", "llm-keys/cohere-api-key", None) in codes(report)
    (anthropic,) = [k for k in report["keys"] if k["provider"] == "anthropic"]
    assert anthropic["present"] is False and anthropic["external"] is True


def test_unity_catalog_inherited_grants_owners_and_a_hand_made_schema_grant(rest: Rest, tmp_path: Path) -> None:
    rest.emu("seed", "--schema", "main.llm")
    rest.emu("put-uc-secret", "--name", "main.llm.openai_api_key", "--digest-of-stdin", stdin="sk-test-audit-uc-0000")
    rest.emu(
        "put-grant",
        "--securable",
        "secret",
        "--name",
        "main.llm.openai_api_key",
        "--principal",
        "llm-readers",
        "--privilege",
        "READ_SECRET",
    )
    rest.emu("add-member", "--group", "llm-readers", "--member", "alice@example.com")
    outputs = {
        "secretFullNames": {"openai": "main.llm.openai_api_key"},
        "grants": [
            {"scope": "", "secret": "main.llm.openai_api_key", "principal": "llm-readers", "permission": "READ_SECRET"}
        ],
    }
    code, report = audit_json(tmp_path, outputs)
    assert code == 0, report["findings"]
    who = access(report, "main.llm.openai_api_key")
    assert who["alice@example.com"][2] == (
        "secret main.llm.openai_api_key: READ_SECRET to llm-readers",
        "llm-readers has member alice@example.com",
    )
    assert who[DEPLOYER] == ("OWNER", "uc_owner", ("owner of secret main.llm.openai_api_key",))

    rest.emu(
        "put-grant",
        "--securable",
        "schema",
        "--name",
        "main.llm",
        "--principal",
        "account users",
        "--privilege",
        "READ_SECRET",
    )
    code, report = audit_json(tmp_path, outputs)
    assert code == 1
    found = codes(report)
    assert ("critical", "everyone-can-read", "main.llm.openai_api_key", "account users") in found
    assert ("high", "undeclared-access", "main.llm.openai_api_key", "account users") in found
    assert access(report, "main.llm.openai_api_key")["account users"][2][0] == (
        "schema main.llm: READ_SECRET to account users"
    )
    rest.emu("revoke-grant", "--securable", "schema", "--name", "main.llm", "--principal", "account users")
    assert audit_json(tmp_path, outputs)[0] == 0
    calls = rest.calls()
    assert "GET secrets/get" not in calls and "not-served" not in calls
    assert calls["GET uc/secrets/get"] == 3  # metadata only: include_value is refused by the emulator


def test_formats_and_fail_on(rest: Rest, tmp_path: Path) -> None:
    outputs = scope_vault(rest)
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    code, table, _ = audit("--stack-outputs", str(path))
    assert code == 0
    assert "Who can use each key" in table and "bob@example.com" in table and "deployer-manage" in table
    code, md, _ = audit("--stack-outputs", str(path), "--format", "markdown", "--fail-on", "info")
    assert code == 1  # info findings exist
    assert "| info | group-membership | llm-keys | llm-readers |" in md
    assert "sk-test-audit" not in table + md
    code, _, _ = audit("--scope", "llm-keys", "--format", "json")
    assert code == 0  # named targets: nothing declared, so no drift


def test_usage_and_connection_errors_exit_2(rest: Rest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scope_vault(rest)
    code, _, err = audit()
    assert code == 2 and "exactly one target" in err
    code, _, err = audit("--scope", "llm-keys", "--fail-on", "severe")
    assert code == 2 and "--fail-on" in err and "critical" in err
    code, _, err = audit("--uc-secret", "main.llm")
    assert code == 2 and "CATALOG.SCHEMA.NAME" in err
    bad = tmp_path / "bad.json"
    bad.write_text('{"unrelated": 1}')
    code, _, err = audit("--stack-outputs", str(bad))
    assert code == 2 and "no llmkeyvault outputs" in err
    monkeypatch.setenv("DATABRICKS_HOST", "http://127.0.0.1:1")  # nothing listens there
    code, _, err = audit("--scope", "llm-keys", "--timeout", "1")
    assert code == 2 and "cannot read the workspace" in err
    monkeypatch.setenv("DATABRICKS_HOST", rest.url)
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-test-wrong")
    code, _, err = audit("--scope", "llm-keys")
    assert code == 2 and "cannot read the workspace" in err and "dapi-test-wrong" not in err


def test_a_missing_scope_and_a_scope_only_admins_manage_are_findings(rest: Rest, tmp_path: Path) -> None:
    rest.emu("put-scope", "--scope", "admin-only", "--creator", "admins")
    outputs = {
        "scopes": ["admin-only", "gone"],
        "scopeNames": {"openai": "gone"},
        "secretKeys": {"openai": "openai-api-key"},
        "grants": [],
    }
    code, report = audit_json(tmp_path, outputs, "--progress", "always")
    assert code == 1
    found = codes(report)
    assert ("high", "scope-missing", "gone", None) in found
    assert ("high", "key-missing", "gone/openai-api-key", None) in found
    assert ("medium", "no-manager", "admin-only", None) in found
    code, _ = audit_json(tmp_path, {**outputs, "scopes": ["admin-only"], "scopeNames": {}}, "--fail-on", "critical")
    assert code == 0


def test_each_group_is_read_once_however_many_scopes_it_reaches(rest: Rest, tmp_path: Path) -> None:
    scope_vault(rest)
    for scope in ("llm-keys-2", "llm-keys-3"):
        rest.emu("put-scope", "--scope", scope)
        rest.emu("put-acl", "--scope", scope, "--principal", "llm-readers", "--permission", "READ")
        rest.emu("put-acl", "--scope", scope, "--principal", "ml-team", "--permission", "WRITE")
    code, out, err = audit("--scope", "llm-keys", "--scope", "llm-keys-2", "--scope", "llm-keys-3", "--format", "json")
    assert code == 0, err
    calls = rest.calls()
    # llm-readers, ml-team (nested, and granted directly on two scopes) and admins: three groups, three reads.
    assert calls["GET scim/get"] == 3
    assert calls["GET secrets/acls/list"] == 3 and calls["GET secrets/list"] == 3
    assert json.loads(out)["summary"]["apiCalls"] == sum(
        n for route, n in calls.items() if route not in ("GET host-metadata", "unauthenticated")
    )


def references(report: dict[str, Any], key: str) -> set[tuple[str, str, str, str, str]]:
    (k,) = [k for k in report["keys"] if k["id"] == key]
    return {(r["kind"], r["name"], r["id"], r["creator"], r["field"]) for r in k["references"]}


def test_jobs_and_clusters_referencing_a_key_are_listed_with_their_creators(
    rest: Rest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = scope_vault(rest)
    ref = "{{secrets/llm-keys/openai-api-key}}"
    # Older jobs first: 101 of them, so that the newest (listed first) and the oldest are on two pages.
    job = {
        "name": "nightly-summaries",
        "job_clusters": [{"job_cluster_key": "main", "new_cluster": {"spark_conf": {"spark.openai.key": ref}}}],
        "tasks": [
            {"task_key": "other", "new_cluster": {"spark_env_vars": {"UNRELATED": "{{secrets/other/k}}"}}},
            {"task_key": "each", "for_each_task": {"task": {"new_cluster": {"spark_conf": {"spark.k": ref}}}}},
        ],
    }
    rest.emu("add-job", "--json", json.dumps(job), "--creator", "carol@example.com")
    for i in range(99):
        rest.emu("add-job", "--json", json.dumps({"name": f"filler-{i}", "tasks": [{"task_key": "t"}]}))
    # A job with 150 tasks: the listing shows the first 100, the SDK reads the rest with jobs/get.
    tasks: list[dict[str, Any]] = [{"task_key": f"t{i}"} for i in range(150)]
    tasks[120]["new_cluster"] = {"spark_env_vars": {"OPENAI_API_KEY": ref}}
    rest.emu("add-job", "--json", json.dumps({"name": "big-batch", "tasks": tasks}), "--creator", SP)
    rest.emu(
        "add-cluster",
        "--json",
        json.dumps({"cluster_name": "shared-llm", "spark_env_vars": {"OPENAI_API_KEY": ref, "PLAIN": "x"}}),
        "--creator",
        "dave@example.com",
    )
    rest.emu("add-cluster", "--json", json.dumps({"cluster_name": "no-secrets", "spark_conf": {"a": "b"}}))

    code, report = audit_json(tmp_path, outputs)
    assert code == 0, report["findings"]
    found = references(report, "llm-keys/openai-api-key")
    cluster_ids = {r[2] for r in found if r[0] == "cluster"}
    assert len(cluster_ids) == 1
    assert found == {
        (
            "job",
            "nightly-summaries",
            "1",
            "carol@example.com",
            "settings.job_clusters[0].new_cluster.spark_conf.spark.openai.key",
        ),
        (
            "job",
            "nightly-summaries",
            "1",
            "carol@example.com",
            "settings.tasks[1].for_each_task.task.new_cluster.spark_conf.spark.k",
        ),
        ("job", "big-batch", "101", SP, "settings.tasks[120].new_cluster.spark_env_vars.OPENAI_API_KEY"),
        ("cluster", "shared-llm", cluster_ids.pop(), "dave@example.com", "spark_env_vars.OPENAI_API_KEY"),
    }
    calls = rest.calls()
    # One paged listing of each, however many keys: jobs in two pages of 100, the big job's tasks in two.
    assert calls["GET jobs/list"] == 2 and calls["GET jobs/get"] == 2 and calls["GET clusters/list"] == 1

    # A table as wide as a log gets (COLUMNS may hold a narrow terminal's width): no cell folds.
    monkeypatch.setenv("COLUMNS", "240")
    code, out, err = audit("--scope", "llm-keys", "--format", "table")
    assert code == 0, err
    assert "nightly-summaries" in out and "creator carol@example.com" in out and "shared-llm" in out


def test_metastore_admins_and_model_provider_services_of_a_uc_secret(rest: Rest, tmp_path: Path) -> None:
    secret, service = "main.llm.openai_api_key", "main.llm.openai_gateway"
    rest.emu("seed", "--schema", "main.llm")
    rest.emu("put-uc-secret", "--name", secret, "--digest-of-stdin", stdin="sk-test-audit-uc-1111")
    outputs = {"secretFullNames": {"openai": secret}, "grants": []}
    _, before = audit_json(tmp_path, outputs)
    assert "metastore-admins" not in {f["code"] for f in before["findings"]}  # no metastore assigned

    rest.emu("set-metastore", "--name", "main-metastore", "--owner", "metastore-owners")
    rest.emu("add-member", "--group", "metastore-owners", "--member", "dana@example.com")
    rest.emu(
        "add-model-provider-service",
        "--parent",
        "schemas/main.llm",
        "--id",
        "openai_gateway",
        "--secret-reference",
        f"secrets/{secret}",
    )
    rest.emu(
        "put-grant",
        "--securable",
        "model_provider_service",
        "--name",
        service,
        "--principal",
        "app-users",
        "--privilege",
        "EXECUTE",
    )
    rest.emu("add-member", "--group", "app-users", "--member", "erin@example.com")

    code, report = audit_json(tmp_path, outputs)
    assert code == 0, report["findings"]
    who = access(report, secret)
    assert who["dana@example.com"] == (
        "MANAGE",
        "admin",
        (
            "metastore admin",
            "owner of metastore main-metastore: metastore-owners",
            "metastore-owners has member dana@example.com",
        ),
    )
    field = "config.openai.direct.api_key.secret_reference"
    via = f"model provider service {service} references it ({field})"
    assert who["erin@example.com"] == (
        "EXECUTE",
        "uc_grant",
        (via, f"model_provider_service {service}: EXECUTE to app-users", "app-users has member erin@example.com"),
    )
    assert references(report, secret) == {("model_provider_service", service, service, DEPLOYER, field)}
    assert ("info", "metastore-admins", None, "metastore-owners") in codes(report)
    calls = rest.calls()
    assert calls["GET uc/metastore_summary"] == 2  # one per audit
    assert calls["GET uc/model-provider-services/list"] == 2  # one per schema per audit
    assert calls["GET uc/permissions"] == 2 * 3 + 1  # secret, schema, catalog each time; the service once
