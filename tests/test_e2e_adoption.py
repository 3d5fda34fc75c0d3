"""Adoption through the real engine against the workspace emulator: a scope made outside Pulumi
is taken over (`adopt`), adoption that does not match what exists is refused without touching
the workspace, and a stack deployed from the raw SecretScope/Secret/SecretAcl program is
migrated to the component step by step, every key present after every command and nothing
recreated. docs/adoption.md describes the same procedure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import make

from devtools.local_stack import LocalStack, Result, run_emulator
from devtools.workspace import DEPLOYER, digest, secret_digests

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCOPE = "llm-keys"
OPENAI = "sk-test-adopt-openai-0000000000"
ANTHROPIC = "sk-test-adopt-anthropic-11111111"
CONFIG = {"openaiApiKey": {"type": "string", "secret": True}}


@pytest.fixture(scope="module")
def emulated_engine() -> None:
    """The toolchain, the built plugin and the emulator: all these tests use (YAML programs only)."""
    make("tools", "build", "emulator")


def emulator(stack: LocalStack, *args: str, stdin: str | None = None) -> None:
    """Make something "outside Pulumi", as a person or an older program would have."""
    run_emulator(stack.workspace, *args, stdin=stdin)


def component(**extra: Any) -> dict[str, Any]:
    """The vault as the original program's scope: openai's key, data-science reading, users managing."""
    return {
        "llmKeys": {
            "type": "llmkeyvault:LlmKeyVault",
            "properties": {
                "scopeName": SCOPE,
                "providers": [{"name": "openai", "apiKey": "${openaiApiKey}"}],
                "readers": ["data-science"],
                "managers": ["users"],
                "allowWorkspaceUsers": True,
                "workspaceUsersAcl": True,
                **extra,
            },
        }
    }


def write_program(folder: Path, resources: dict[str, Any], config: dict[str, Any] | None = None) -> None:
    """Pulumi.yaml of a YAML program in ``folder``; an existing plugins section is kept."""
    path = folder / "Pulumi.yaml"
    project: dict[str, Any] = {"name": "llm-keys-adoption", "runtime": "yaml"}
    if path.exists():
        project = yaml.safe_load(path.read_text())
    project["config"] = config or CONFIG
    project["resources"] = resources
    path.write_text(yaml.safe_dump(project, sort_keys=False))


def new_stack(tmp_path: Path, resources: dict[str, Any]) -> LocalStack:
    source = tmp_path / "source"
    source.mkdir(parents=True)
    write_program(source, resources)
    return LocalStack(source, tmp_path / "stack")


def acls(stack: LocalStack) -> dict[str, str]:
    found: dict[str, str] = stack.workspace_dump()["acls"].get(SCOPE) or {}
    return found


def ops(stack: LocalStack, since: int = 0) -> list[tuple[str, str, str]]:
    """(kind, op, target) of every mutating call from position ``since`` of the log."""
    return [(e["kind"], e["op"], e["target"]) for e in stack.workspace_dump()["log"][since:]]


def planned(stack: LocalStack) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """A preview's steps as (op, resource name), and its change summary."""
    preview = json.loads(stack.preview("--json").stdout)
    steps = [(step["op"], step["urn"].rsplit("::", 1)[-1]) for step in preview["steps"]]
    changes = {op: count for op, count in preview["changeSummary"].items() if op != "same"}
    return [step for step in steps if step[0] != "same"], changes


def summary(result: Result) -> str:
    """The resource summary the engine prints at the end (``Resources: ...``)."""
    return result.stdout.rsplit("Resources:", 1)[-1]


def assert_every_key_present(stack: LocalStack, keys: dict[str, str]) -> None:
    dump = stack.workspace_dump()
    assert SCOPE in dump["scopes"], "the scope went missing"
    held = secret_digests(dump)
    for key, value in keys.items():
        assert held.get(f"{SCOPE}/{key}") == digest(value), f"{key} missing or changed"


def made_outside_pulumi(stack: LocalStack) -> None:
    """What the original program left: a scope with users' MANAGE, one key, one reader."""
    emulator(stack, "put-scope", "--scope", SCOPE, "--initial-manage-principal", "users")
    emulator(stack, "put-secret", "--scope", SCOPE, "--key", "openai-api-key", "--digest-of-stdin", stdin=OPENAI)
    emulator(stack, "put-acl", "--scope", SCOPE, "--principal", "data-science", "--permission", "READ")


def test_adopts_a_scope_made_outside_pulumi(emulated_engine: None, tmp_path: Path) -> None:
    stack = new_stack(tmp_path, component(adopt=True))
    made_outside_pulumi(stack)
    before = stack.workspace_dump()
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ"}
    stack.init({"openaiApiKey": OPENAI})

    steps, changes = planned(stack)
    children = sorted(step for step in steps if step[1].startswith("llmKeys-"))
    assert children == [
        ("create", f"llmKeys-acl-{DEPLOYER}"),  # deployerAcl: 'users' managing does not stand in for it
        ("import", "llmKeys-acl-data-science"),
        ("import", "llmKeys-acl-users"),
        ("import", "llmKeys-scope"),
        ("import", "llmKeys-secret/openai-api-key"),
        # A value cannot be read back, so the key given is written over the secret in place.
        ("update", "llmKeys-secret/openai-api-key"),
    ]
    assert changes == {"create": 3, "import": 4, "update": 1}  # created: the stack, the component, the ACL
    assert len(stack.workspace_dump()["log"]) == len(before["log"])  # a preview writes nothing

    up = stack.up()
    assert "4 imported" in summary(up), up.stdout
    assert "replaced" not in summary(up), up.stdout
    assert_every_key_present(stack, {"openai-api-key": OPENAI})  # the same key: the same digest
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ", DEPLOYER: "MANAGE"}
    # The writes: the key written over itself in place (its value cannot be read back), and the
    # deploying identity's own MANAGE.
    assert sorted(ops(stack, len(before["log"]))) == [
        ("acl", "create", f"{SCOPE}|||{DEPLOYER}"),
        ("secret", "update", f"{SCOPE}|||openai-api-key"),
    ]

    write_program(stack.project, component())  # adopt is one-shot
    stack.preview("--expect-no-changes")
    stack.up("--expect-no-changes")
    assert_every_key_present(stack, {"openai-api-key": OPENAI})
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ", DEPLOYER: "MANAGE"}


def test_adoption_that_does_not_match_is_refused_and_changes_nothing(emulated_engine: None, tmp_path: Path) -> None:
    # A key the scope does not hold: the import fails, naming the resource and the id.
    stack = new_stack(tmp_path / "missing-key", component(adopt=True))
    made_outside_pulumi(stack)
    stack.init({"openaiApiKey": OPENAI, "anthropicApiKey": ANTHROPIC})
    before = stack.workspace_dump()
    two_keys = component(adopt=True)
    two_keys["llmKeys"]["properties"]["providers"].append({"name": "anthropic", "apiKey": "${anthropicApiKey}"})
    config = {**CONFIG, "anthropicApiKey": {"type": "string", "secret": True}}
    write_program(stack.project, two_keys, config)
    for result in (stack.preview(check=False), stack.up(check=False)):
        assert result.returncode != 0
        printed = result.stdout + result.stderr
        assert "llmKeys-secret/anthropic-api-key" in printed, printed
        assert f"resource '{SCOPE}|||anthropic-api-key' does not exist" in printed, printed
    assert secret_digests(stack.workspace_dump()) == secret_digests(before)
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ"}
    assert set(ops(stack, len(before["log"]))) <= {("secret", "update", f"{SCOPE}|||openai-api-key")}

    # An ACL at another level than the program's: importing it would replace it.
    stack = new_stack(tmp_path / "other-level", component(adopt=True))
    made_outside_pulumi(stack)
    stack.init({"openaiApiKey": OPENAI})
    before = stack.workspace_dump()
    writer = component(adopt=True)
    writer["llmKeys"]["properties"]["readers"] = []
    writer["llmKeys"]["properties"]["writers"] = ["data-science"]
    write_program(stack.project, writer)
    preview = stack.preview()  # a warning in a preview, an error in an update
    refusal = "previously-imported resources that still specify an ID may not be replaced"
    assert refusal in preview.stdout + preview.stderr and "llmKeys-acl-data-science" in preview.stdout
    up = stack.up(check=False)
    assert up.returncode != 0
    assert refusal in up.stdout and "llmKeys-acl-data-science" in up.stdout, up.stdout
    assert "permission: {READ} => {WRITE}" in up.stdout, up.stdout

    after = stack.workspace_dump()
    assert secret_digests(after) == secret_digests(before) == {f"{SCOPE}/openai-api-key": digest(OPENAI)}
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ"}
    # Nothing created, deleted or replaced: at most the key written over itself in place.
    assert set(ops(stack, len(before["log"]))) <= {("secret", "update", f"{SCOPE}|||openai-api-key")}


RAW = {
    "scope": {"type": "databricks:SecretScope", "properties": {"name": SCOPE, "initialManagePrincipal": "users"}},
    "openaiKey": {
        "type": "databricks:Secret",
        "properties": {"scope": "${scope.name}", "key": "openai-api-key", "stringValue": "${openaiApiKey}"},
    },
    "dataScienceRead": {
        "type": "databricks:SecretAcl",
        "properties": {"scope": "${scope.name}", "principal": "data-science", "permission": "READ"},
    },
}


def retained(resources: dict[str, Any]) -> dict[str, Any]:
    return {name: {**body, "options": {"retainOnDelete": True}} for name, body in resources.items()}


def test_migrates_a_raw_program_to_the_component_in_the_same_stack(emulated_engine: None, tmp_path: Path) -> None:
    keys = {"openai-api-key": OPENAI}
    stack = new_stack(tmp_path, RAW)
    stack.init({"openaiApiKey": OPENAI})
    stack.up()
    assert_every_key_present(stack, keys)
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ"}
    deployed = len(stack.workspace_dump()["log"])
    assert sorted(ops(stack)) == [
        ("acl", "create", f"{SCOPE}|||data-science"),
        ("scope", "create", SCOPE),
        ("secret", "create", f"{SCOPE}|||openai-api-key"),
    ]

    # 1. The raw resources are kept in the workspace when they leave the program.
    write_program(stack.project, retained(RAW))
    stack.up()
    assert_every_key_present(stack, keys)

    # 2. The component takes them over; the raw resources leave the state, not the workspace.
    write_program(stack.project, component(adopt=True))
    steps, changes = planned(stack)
    assert changes == {"create": 2, "import": 4, "update": 1, "delete": 3}, steps  # the component, the ACL
    assert sorted(name for op, name in steps if op == "delete") == ["dataScienceRead", "openaiKey", "scope"]
    assert_every_key_present(stack, keys)
    up = stack.up()
    assert "4 imported" in summary(up) and "3 deleted" in summary(up), up.stdout
    assert_every_key_present(stack, keys)
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ", DEPLOYER: "MANAGE"}
    urns = stack.export()
    assert "databricks:index/secretScope:SecretScope::scope" not in urns
    assert "LlmKeyVault$databricks:index/secretScope:SecretScope::llmKeys-scope" in urns

    # 3. adopt is one-shot: without it nothing changes.
    write_program(stack.project, component())
    stack.preview("--expect-no-changes")
    assert_every_key_present(stack, keys)
    stack.up("--expect-no-changes")
    assert_every_key_present(stack, keys)

    # Nothing was recreated: since the raw program's update, the writes were the key over itself
    # and the deploying identity's own MANAGE (deployerAcl).
    assert sorted(ops(stack, deployed)) == [
        ("acl", "create", f"{SCOPE}|||{DEPLOYER}"),
        ("secret", "update", f"{SCOPE}|||openai-api-key"),
    ]

    # 4. A separate step: users lose MANAGE. Only their ACL goes; the deploying identity keeps
    # MANAGE with the ACL of its own (deployerAcl) made at the adoption.
    without_users = component()
    props = without_users["llmKeys"]["properties"]
    for field in ("managers", "allowWorkspaceUsers", "workspaceUsersAcl"):
        del props[field]
    write_program(stack.project, without_users)
    marker = len(stack.workspace_dump()["log"])
    steps, changes = planned(stack)
    assert changes == {"delete": 1}, steps
    assert ("delete", "llmKeys-acl-users") in steps, steps
    assert_every_key_present(stack, keys)
    stack.up()
    assert_every_key_present(stack, keys)
    assert acls(stack) == {"data-science": "READ", DEPLOYER: "MANAGE"}
    assert ops(stack, marker) == [("acl", "delete", f"{SCOPE}|||users")]
    stack.preview("--expect-no-changes")
    assert_every_key_present(stack, keys)


def with_options(resources: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {name: {**body, "options": options} for name, body in resources.items()}


def test_destroying_an_adopted_scope_keeps_it_and_the_keys_the_program_never_named(
    emulated_engine: None, tmp_path: Path
) -> None:
    stack = new_stack(tmp_path, component(adopt=True))
    made_outside_pulumi(stack)
    emulator(stack, "put-secret", "--scope", SCOPE, "--key", "other-team-key", "--digest-of-stdin", stdin=ANTHROPIC)
    stack.init({"openaiApiKey": OPENAI})
    preview = stack.preview()
    assert f"the scope '{SCOPE}' is retained on delete while adopt is set" in preview.stdout, preview.stdout
    stack.up()
    stack.destroy()
    dump = stack.workspace_dump()
    assert SCOPE in dump["scopes"], "the adopted scope was deleted"
    # What the program named goes with it; what it never named stays.
    assert secret_digests(dump) == {f"{SCOPE}/other-team-key": digest(ANTHROPIC)}


def test_two_stacks_adopting_one_scope_each_delete_only_what_they_name(emulated_engine: None, tmp_path: Path) -> None:
    """The second adopter is not detected (no stack sees another's state); with the scope retained,
    one stack's destroy leaves the other's keys in place (docs/adoption.md)."""
    first = new_stack(tmp_path / "first", component(adopt=True))
    made_outside_pulumi(first)
    emulator(first, "put-secret", "--scope", SCOPE, "--key", "anthropic-api-key", "--digest-of-stdin", stdin=ANTHROPIC)
    first.init({"openaiApiKey": OPENAI})
    first.up()

    second_program = component(adopt=True)
    props = second_program["llmKeys"]["properties"]
    props["providers"] = [{"name": "anthropic", "apiKey": "${anthropicApiKey}"}]
    props["readers"] = []
    config = {"anthropicApiKey": {"type": "string", "secret": True}}
    source = tmp_path / "second" / "source"
    source.mkdir(parents=True)
    write_program(source, second_program, config)
    second = LocalStack(source, tmp_path / "second" / "stack")
    # The same emulated workspace as the first stack.
    second.workspace = first.workspace
    second.init({"anthropicApiKey": ANTHROPIC})
    second.up()

    second.destroy()
    assert_every_key_present(first, {"openai-api-key": OPENAI})
    first.preview("--expect-no-changes")
    first.destroy()
    assert SCOPE in first.workspace_dump()["scopes"]


def test_retain_on_delete_keeps_an_adopted_scope_after_adopt_is_removed(emulated_engine: None, tmp_path: Path) -> None:
    stack = new_stack(tmp_path, component(adopt=True))
    made_outside_pulumi(stack)
    stack.init({"openaiApiKey": OPENAI})
    stack.up()
    write_program(stack.project, with_options(component(), retainOnDelete=True))
    stack.up()
    stack.destroy()
    assert_every_key_present(stack, {"openai-api-key": OPENAI})
    assert acls(stack) == {"users": "MANAGE", "data-science": "READ", DEPLOYER: "MANAGE"}
