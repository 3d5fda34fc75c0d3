"""Usage grants through the real engine against the workspace emulator: a group that held
BROWSE and SELECT on the catalog, and MODIFY on the schema, before the stack keeps them
after `up`, the next preview changes nothing, and `destroy` leaves them with USE_CATALOG
and USE_SCHEMA (the usage grants are retained on delete). The plugin reads the grants
over the emulator's REST mode (LocalStack starts it over the same workspace folder the
emulated databricks provider writes). Where it cannot read, nothing is registered."""

from __future__ import annotations

from pathlib import Path

import pytest
from llmkeyvault_provider import usage

from devtools.local_stack import REST_TOKEN, ROOT, LocalStack
from devtools.workspace import DEPLOYER

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECT = ROOT / "tests" / "e2e" / "uc-vault"  # catalog main, schema llm, readers from config
KEY = "sk-test-usage-openai-0000"


def grant_outside(stack: LocalStack, securable: str, name: str, principal: str, *privileges: str) -> None:
    args = ["--securable", securable, "--name", name, "--principal", principal, "--caller", DEPLOYER]
    stack.emulator("put-grant", *args, *(arg for p in privileges for arg in ("--privilege", p)))


def held(stack: LocalStack, securable: str, name: str) -> dict[str, list[str]]:
    on: dict[str, list[str]] = stack.workspace_dump().get("ucGrants", {}).get(securable, {}).get(name, {})
    return {principal: sorted(privileges) for principal, privileges in on.items()}


def test_usage_grants_add_to_what_a_group_holds_and_leave_it_on_destroy(engine_ready: None, tmp_path: Path) -> None:
    stack = LocalStack(PROJECT, tmp_path)
    stack.seed("main.llm")
    # Made outside the stack, before it: the probe's group, and another that the stack never names.
    grant_outside(stack, "catalog", "main", "data-science", "BROWSE", "SELECT")
    grant_outside(stack, "schema", "main.llm", "data-science", "MODIFY")
    grant_outside(stack, "catalog", "main", "bi-team", "USE_CATALOG", "SELECT")
    stack.init({"openaiApiKey": KEY})

    first = stack.up()
    assert held(stack, "catalog", "main") == {
        "bi-team": ["SELECT", "USE_CATALOG"],
        "data-science": ["BROWSE", "SELECT", "USE_CATALOG"],
    }
    assert held(stack, "schema", "main.llm") == {"data-science": ["MODIFY", "USE_SCHEMA"]}
    assert "whole privilege list" not in first.stdout  # the old warning of what a Grant replaced

    # The next update reads the same union: nothing to change.
    stack.preview("--expect-no-changes")
    stack.up("--refresh")  # and a refresh sees the Grant as it is in the workspace
    stack.preview("--expect-no-changes")

    # A privilege given outside the stack after `up` is kept when the next update changes the Grant.
    # (GRANT EXECUTE in SQL adds; the emulator's put-grant sets the whole list, as a Grant does.)
    grant_outside(stack, "catalog", "main", "data-science", "BROWSE", "EXECUTE", "SELECT", "USE_CATALOG")
    stack.up()
    assert held(stack, "catalog", "main")["data-science"] == ["BROWSE", "EXECUTE", "SELECT", "USE_CATALOG"]
    stack.preview("--expect-no-changes")

    stack.destroy()
    # What was found, plus what the retained usage grants left: USE_CATALOG and USE_SCHEMA.
    assert held(stack, "catalog", "main") == {
        "bi-team": ["SELECT", "USE_CATALOG"],
        "data-science": ["BROWSE", "EXECUTE", "SELECT", "USE_CATALOG"],
    }
    assert held(stack, "schema", "main.llm") == {"data-science": ["MODIFY", "USE_SCHEMA"]}
    assert held(stack, "secret", "main.llm.openai_api_key") == {}
    assert KEY not in stack.everything_printed()


def test_without_credentials_the_usage_grants_are_refused_before_anything_exists(
    engine_ready: None, tmp_path: Path
) -> None:
    stack = LocalStack(PROJECT, tmp_path, extra_env={"DATABRICKS_TOKEN": "dapi-test-wrong-token"})
    stack.seed("main.llm")
    grant_outside(stack, "catalog", "main", "data-science", "BROWSE", "SELECT")
    stack.init({"openaiApiKey": KEY})
    before = stack.workspace_dump()

    refused = stack.preview(check=False)
    assert refused.returncode != 0
    printed = refused.stdout + refused.stderr
    assert "unityCatalog.grantUsage" in printed
    assert "what 'data-science' already holds on catalog 'main' could not be read" in printed
    assert "the credentials were refused" in printed
    assert "GRANT USE CATALOG ON CATALOG main TO `data-science`" in printed
    assert "dapi-test-wrong-token" not in printed

    assert stack.up(check=False).returncode != 0
    after = stack.workspace_dump()
    assert held(stack, "catalog", "main") == {"data-science": ["BROWSE", "SELECT"]}
    assert after.get("ucSecrets") == before.get("ucSecrets")
    assert KEY not in stack.everything_printed()

    # grantUsage: false deploys, and grants no usage at all (to be granted in SQL, which adds).
    project = stack.definition()
    project["resources"]["llmKeys"]["properties"]["unityCatalog"]["grantUsage"] = False
    stack.redefine(project)
    stack.up()
    assert held(stack, "catalog", "main") == {"data-science": ["BROWSE", "SELECT"]}
    assert held(stack, "secret", "main.llm.openai_api_key") == {"data-science": ["READ_SECRET"]}


def test_the_sdk_reader_against_the_emulators_rest_mode(engine_ready: None, tmp_path: Path) -> None:
    """What the fake provider wrote, the REST mode serves: the reader sees the same workspace."""
    stack = LocalStack(PROJECT, tmp_path)
    stack.seed("main.llm")
    grant_outside(stack, "catalog", "main", "data-science", "BROWSE", "SELECT")
    read = usage.workspace_reader({"host": stack.rest_url, "token": REST_TOKEN})
    assert read("catalog", "main") == [("data-science", ["BROWSE", "SELECT"])]
    assert read("schema", "main.llm") == []
    assert read("schema", "main.not_created_yet") == []  # does not exist: nobody holds anything
    with pytest.raises(usage.CannotRead) as caught:
        usage.workspace_reader({"host": stack.rest_url, "token": "dapi-test-wrong-token"})("catalog", "main")
    assert caught.value.reason.startswith("the credentials were refused")
    assert "dapi-test-wrong-token" not in caught.value.reason
