"""The Unity Catalog example (examples/unity-catalog-yaml) through the real engine
against the workspace emulator, one update after another, as a platform team would
run it: exact layout, convergence, reordering, rotation in place, a reader added, a
provider removed, grants made by others left alone, expiry warnings, destroy, and no
key anywhere. The emulator's call log says which objects each update touched."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from devtools.demo import UC_SCHEMAS
from devtools.local_stack import ROOT, LocalStack
from devtools.workspace import (
    DEPLOYER,
    changes_since,
    digest,
    last_call,
    uc_layout,
    uc_secret_digests,
    without_usage_grants,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXAMPLE = ROOT / "examples" / "unity-catalog-yaml"
SCHEMA = "main.llm_keys"  # the example's default catalog and schema
KEYS = {
    "openaiApiKey": "sk-test-uc-openai-0000",
    "anthropicApiKey": "sk-test-uc-anthropic-0000",
    "mistralApiKey": "sk-test-uc-mistral-0000",
}
ROTATED = "sk-test-uc-openai-1111"
OTHER_TEAM = "other-team@example.com"
# Every principal the example names, each granted USE_CATALOG and USE_SCHEMA by the component.
PRINCIPALS = ["ai-gateway-owners", "chat-assistants", "data-science", "platform-admins"]


def full(provider: str) -> str:
    return f"{SCHEMA}.{provider}_api_key"


def secret_grants(*, own_readers: list[str] | None = None) -> dict[str, list[str]]:
    """The grants on one secret of the example: its global levels plus the provider's own readers."""
    grants = {
        "ai-gateway-owners": ["REFERENCE_SECRET"],  # referencers
        "data-science": ["READ_SECRET"],  # readers
        "platform-admins": ["MANAGE"],  # managers
    }
    for reader in own_readers or []:
        grants[reader] = ["READ_SECRET"]
    return grants


def expected_layout(secrets: dict[str, dict[str, list[str]]], principals: list[str]) -> dict[str, Any]:
    """uc_layout of the workspace: the component's secrets and grants, plus the grants others made
    outside the stack (which must survive every update)."""
    return {
        "schemas": {SCHEMA: sorted(name.rsplit(".", 1)[1] for name in secrets)},
        "grants": {
            "catalog": {"main": {p: sorted(["USE_CATALOG", *OUTSIDE_ON_CATALOG.get(p, [])]) for p in principals}},
            "schema": {
                SCHEMA: {**{p: ["USE_SCHEMA"] for p in principals}, **OUTSIDE_ON_OUR_SCHEMA},
                "main.shared": OUTSIDE_ON_SHARED,
            },
            "secret": secrets,
        },
    }


# Made outside the stack before the first update: another principal on the vault's schema, and one
# of the component's principals on a schema another team owns.
OUTSIDE_ON_OUR_SCHEMA = {"analysts": ["SELECT", "USE_SCHEMA"]}
OUTSIDE_ON_SHARED = {"data-science": ["READ_SECRET", "USE_SCHEMA"]}
# A privilege a principal of the component holds directly on the catalog: its usage Grant keeps it.
OUTSIDE_ON_CATALOG = {"data-science": ["BROWSE"]}


def casefolded_principals(grants: dict[str, list[str]]) -> dict[str, list[str]]:
    return {p.lower(): privs for p, privs in grants.items()}


def casefolded(layout: dict[str, Any]) -> dict[str, Any]:
    """uc_layout with every principal in lower case (UC compares principals without case)."""
    grants = {
        kind: {name: {p.casefold(): privileges for p, privileges in on.items()} for name, on in by_name.items()}
        for kind, by_name in layout["grants"].items()
    }
    return {**layout, "grants": grants}


def grant_outside(stack: LocalStack, securable: str, name: str, principal: str, *privileges: str, caller: str) -> None:
    args = ["--securable", securable, "--name", name, "--principal", principal, "--caller", caller]
    stack.emulator("put-grant", *args, *(arg for p in privileges for arg in ("--privilege", p)))


def rfc3339(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def providers_of(stack: LocalStack) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    project = stack.definition()
    return project, project["resources"]["llmKeys"]["properties"]["providers"]


def assert_summary(result_stdout: str, *changes: str) -> None:
    """The engine's resource summary lists exactly ``changes`` besides the unchanged resources."""
    counts = result_stdout.split("Resources:")[1].split("Duration:")[0]
    changed = [line.strip() for line in counts.splitlines() if line.strip() and "unchanged" not in line]
    assert changed == list(changes), counts


def test_unity_catalog_example_lifecycle(engine_ready: None, tmp_path: Path) -> None:
    soon = rfc3339(datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=5))
    stack = LocalStack(EXAMPLE, tmp_path)
    stack.init(KEYS, {"anthropicKeyExpiresAt": soon})
    assert UC_SCHEMAS["unity-catalog-yaml"] == (SCHEMA,), "the demo seeds what the example writes into"
    stack.seed(SCHEMA)
    stack.seed("main.shared", owner=OTHER_TEAM)
    grant_outside(stack, "schema", SCHEMA, "analysts", "USE_SCHEMA", "SELECT", caller=DEPLOYER)
    grant_outside(stack, "schema", "main.shared", "data-science", "USE_SCHEMA", "READ_SECRET", caller=OTHER_TEAM)
    grant_outside(stack, "catalog", "main", "data-science", *OUTSIDE_ON_CATALOG["data-science"], caller=DEPLOYER)

    # up: exactly the secrets, their grants and the usage grants; values as digests; expiry set
    first = stack.up()
    dump = stack.workspace_dump()
    secrets = {
        full("anthropic"): secret_grants(own_readers=["chat-assistants"]),
        full("mistral"): secret_grants(),
        full("openai"): secret_grants(),
    }
    assert uc_layout(dump) == expected_layout(secrets, PRINCIPALS)
    assert sorted(dump["ucGrants"]["catalog"]["main"]["data-science"]) == ["BROWSE", "USE_CATALOG"]  # BROWSE kept
    assert uc_secret_digests(dump) == {
        full("openai"): digest(KEYS["openaiApiKey"]),
        full("anthropic"): digest(KEYS["anthropicApiKey"]),
        full("mistral"): digest(KEYS["mistralApiKey"]),
    }
    uc_secrets = dump["ucSecrets"]
    assert {name: s.get("expireTime") for name, s in uc_secrets.items()} == {
        full("openai"): None,
        full("anthropic"): soon,
        full("mistral"): None,
    }
    assert uc_secrets[full("mistral")]["comment"] == "API key of LLM provider 'mistral', managed by LlmKeyVault llmKeys"
    assert {s["owner"] for s in uc_secrets.values()} == {DEPLOYER}
    assert not [e for e in dump["log"] if e.get("error")]
    outputs = stack.outputs()
    assert outputs["secretFullNames"] == {p: full(p) for p in ("openai", "anthropic", "mistral")}
    assert outputs["expirations"] == {"anthropic": soon}
    assert outputs["grants"] == sorted(
        (
            {"scope": "", "secret": secret, "principal": principal, "permission": privileges[0]}
            for secret, by_principal in secrets.items()
            for principal, privileges in by_principal.items()
        ),
        key=lambda g: (g["secret"], g["principal"], g["permission"]),
    )

    # the key expiring within rotationWarningDays (30) is warned about, by provider and date
    warning = f"warning: the key of provider 'anthropic' expires on {soon}, in "
    assert warning in first.stdout
    assert not re.search(r"provider '(openai|mistral)' expire", first.stdout)

    # a second preview changes nothing, and warns again
    second = stack.preview("--expect-no-changes")
    assert warning in second.stdout

    # reordering the providers changes nothing
    project, providers = providers_of(stack)
    providers.reverse()
    stack.redefine(project)
    stack.preview("--expect-no-changes")

    # rotating a key updates that secret in place: never deleted, nothing else touched; verbose
    # engine logs of that update hold no key either
    before = last_call(dump)
    stack.set_secret("openaiApiKey", ROTATED)
    rotation = stack.up("--logtostderr", "--logflow", "-v=9")
    assert len(rotation.stderr) > 10_000, "the engine wrote its verbose log"
    dump = stack.workspace_dump()
    assert changes_since(dump, before) == [("ucsecret", "update", full("openai"))]
    assert_summary(rotation.stdout, "~ 1 updated")
    assert uc_secret_digests(dump)[full("openai")] == digest(ROTATED)
    assert dump["ucSecrets"][full("openai")]["createTimeMs"] == uc_secrets[full("openai")]["createTimeMs"]
    assert uc_layout(dump) == expected_layout(secrets, PRINCIPALS)

    # a provider's own reader: that secret's Grants changes, and the new principal gets usage
    before = last_call(dump)
    project, providers = providers_of(stack)
    next(p for p in providers if p["name"] == "mistral")["readers"] = ["ml-interns"]
    stack.redefine(project)
    reader = stack.up()
    dump = stack.workspace_dump()
    assert changes_since(dump, before) == [
        ("grant", "create", "catalog/main/ml-interns"),
        ("grant", "create", f"schema/{SCHEMA}/ml-interns"),
        ("grants", "update", f"secret/{full('mistral')}"),
    ]
    assert_summary(reader.stdout, "+ 2 created", "~ 1 updated")
    secrets[full("mistral")] = secret_grants(own_readers=["ml-interns"])
    assert uc_layout(dump) == expected_layout(secrets, sorted([*PRINCIPALS, "ml-interns"]))

    # removing a provider removes its secret and that secret's grants, nothing else
    before = last_call(dump)
    project, providers = providers_of(stack)
    providers[:] = [p for p in providers if p["name"] != "openai"]
    stack.redefine(project)
    removal = stack.up()
    dump = stack.workspace_dump()
    assert changes_since(dump, before) == [
        ("grants", "delete", f"secret/{full('openai')}"),
        ("ucsecret", "delete", full("openai")),
    ]
    assert_summary(removal.stdout, "- 2 deleted")
    del secrets[full("openai")]
    assert uc_layout(dump) == expected_layout(secrets, sorted([*PRINCIPALS, "ml-interns"]))
    assert uc_secret_digests(dump) == {
        full("anthropic"): digest(KEYS["anthropicApiKey"]),
        full("mistral"): digest(KEYS["mistralApiKey"]),
    }
    assert stack.outputs()["secretFullNames"] == {"anthropic": full("anthropic"), "mistral": full("mistral")}

    # respelling a principal (letter case only) keeps its grants: its usage Grants are replaced,
    # and the old ones are retained on delete (deleting a Grant revokes all of the principal's
    # privileges there), so nothing is revoked
    before = last_call(dump)
    project, providers = providers_of(stack)
    next(p for p in providers if p["name"] == "mistral")["readers"] = ["ML-Interns"]
    stack.redefine(project)
    stack.up()
    dump = stack.workspace_dump()
    assert changes_since(dump, before) == [
        ("grant", "create", "catalog/main/ML-Interns"),
        ("grant", "create", f"schema/{SCHEMA}/ML-Interns"),
    ]
    assert casefolded(uc_layout(dump)) == expected_layout(secrets, sorted([*PRINCIPALS, "ml-interns"]))
    stack.preview("--expect-no-changes")

    # no key in plaintext in the state, its export, the outputs, anything the engine printed or
    # logged, or the emulated workspace
    places = {
        "state file": stack.state_files(),
        "stack export": stack.export(),
        "stack outputs": stack.run("stack", "output", "--json").stdout,
        "engine output and logs": stack.everything_printed(),
        "emulated workspace": "\n".join(
            p.read_text(errors="replace") for p in stack.workspace.rglob("*") if p.is_file()
        ),
    }
    for place, text in places.items():
        for key in [*KEYS.values(), ROTATED]:
            assert key not in text, f"a key is in plaintext in the {place}"

    # destroy: no secret and no grant on one left; the grants others made stay, and so do the usage
    # grants (retained on delete: deleting a Grant revokes all its principal holds there)
    before = last_call(dump)
    stack.destroy()
    dump = stack.workspace_dump()
    assert not dump["ucSecrets"]
    assert without_usage_grants(dump)["ucGrants"] == {
        "catalog": {"main": OUTSIDE_ON_CATALOG},
        "schema": {SCHEMA: {"analysts": ["SELECT"]}, "main.shared": {"data-science": ["READ_SECRET"]}},
    }
    usage = uc_layout(dump)["grants"]
    granted = [*PRINCIPALS, "ml-interns"]
    assert casefolded_principals(usage["catalog"]["main"]) == {
        p: sorted(["USE_CATALOG", *OUTSIDE_ON_CATALOG.get(p, [])]) for p in granted
    }
    assert casefolded_principals(usage["schema"][SCHEMA]) == {
        **{p: ["USE_SCHEMA"] for p in granted},
        **OUTSIDE_ON_OUR_SCHEMA,
    }
    assert {op for _, op, _ in changes_since(dump, before)} == {"delete"}
    assert {name: s["seeded"] for name, s in dump["schemas"].items()} == {SCHEMA: True, "main.shared": True}
    engine_runs = [r for r in stack.transcript if r.args[1] in ("up", "preview", "destroy")]
    print("\n" + ", ".join(f"{r.args[1]} {r.seconds:.1f} s" for r in engine_runs))
