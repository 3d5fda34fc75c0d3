"""Usage grants add to what a principal holds: the read of its privileges, the union its
Grant is given, and every refusal where the read cannot be made (usage.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import FAKE_KEYS
from llmkeyvault_provider import InvalidInput, LlmKeyVault, usage
from llmkeyvault_provider.plan import check_inputs
from support.mocks import Run, run_with_mocks
from support.permissions_api import PermissionsApi, permissions_api

pytestmark = pytest.mark.component

GRANT = "databricks:index/grant:Grant"
TOKEN = "dapi-test-usage-0000000000000000"
UC: dict[str, Any] = {
    "backend": "unity-catalog",
    "unityCatalog": {"catalog": "main", "schema": "llm"},
    "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
    "readers": ["data-science", "Rag-App"],
}
#: what the workspace holds directly, before the component: (securable, full name) -> assignments
HELD: dict[tuple[str, str], usage.Assignments] = {
    ("catalog", "main"): [
        ("Data-Science", ["BROWSE", "SELECT"]),
        ("rag-app", ["USE_CATALOG"]),
        ("other-team", ["ALL_PRIVILEGES"]),
    ],
    ("schema", "main.llm"): [("data-science", ["MODIFY"]), ("data-science", ["SELECT"])],
}


def workspace(held: Mapping[tuple[str, str], usage.Assignments], calls: list[tuple[str, str]] | None = None) -> Any:
    def make(settings: Mapping[str, str]) -> usage.GrantsReader:
        def read(securable: str, full_name: str) -> usage.Assignments:
            if calls is not None:
                calls.append((securable, full_name))
            return list(held.get((securable, full_name), []))

        return read

    return make


def unable(reason: str) -> Any:
    def make(settings: Mapping[str, str]) -> usage.GrantsReader:
        raise usage.CannotRead(reason)

    return make


def test_each_grant_is_what_its_principal_held_plus_its_own_read_once_per_securable() -> None:
    calls: list[tuple[str, str]] = []
    plan = check_inputs("llm", UC)[1]
    privileges, problems = usage.held_privileges(plan, workspace(HELD, calls)({}), secret_principals=False)
    assert not problems
    assert privileges == {
        # principals compared without case, as Databricks compares them
        "llm-use-catalog-data-science": ["BROWSE", "SELECT", "USE_CATALOG"],
        "llm-use-schema-data-science": ["MODIFY", "SELECT", "USE_SCHEMA"],
        # holding it already: the same list, so the Grant changes nothing
        "llm-use-catalog-rag-app": ["USE_CATALOG"],
        "llm-use-schema-rag-app": ["USE_SCHEMA"],
    }
    assert calls == [("catalog", "main"), ("schema", "main.llm")]


def test_the_registered_grants_carry_the_union_and_others_are_not_touched() -> None:
    run = run_with_mocks(lambda: LlmKeyVault("llm", UC), reader=workspace(HELD))
    grants = {r.name: r.inputs for r in run.of_type(GRANT)}
    assert grants["llm-use-catalog-data-science"] == {
        "catalog": "main",
        "principal": "data-science",
        "privileges": ["BROWSE", "SELECT", "USE_CATALOG"],
    }
    assert grants["llm-use-schema-data-science"]["privileges"] == ["MODIFY", "SELECT", "USE_SCHEMA"]
    assert grants["llm-use-catalog-rag-app"]["privileges"] == ["USE_CATALOG"]
    assert not [g for g in grants.values() if g["principal"].casefold() == "other-team"]


def test_a_schema_still_to_be_created_holds_nothing() -> None:
    inputs = {**UC, "unityCatalog": {"catalog": "main", "schema": "fresh", "createSchema": True}}
    run = run_with_mocks(lambda: LlmKeyVault("llm", inputs), reader=workspace(HELD))
    grants = {r.name: r.inputs["privileges"] for r in run.of_type(GRANT)}
    assert grants["llm-use-schema-data-science"] == ["USE_SCHEMA"]
    assert grants["llm-use-catalog-data-science"] == ["BROWSE", "SELECT", "USE_CATALOG"]


def test_grant_usage_false_reads_nothing() -> None:
    calls: list[tuple[str, str]] = []
    inputs = {**UC, "unityCatalog": {**UC["unityCatalog"], "grantUsage": False}}
    run = run_with_mocks(lambda: LlmKeyVault("llm", inputs), reader=workspace(HELD, calls))
    assert not run.of_type(GRANT) and calls == []


def refused(inputs: dict[str, Any], reader: Any, opts: pulumi.ResourceOptions | None = None) -> tuple[str, Run]:
    run = Run()
    with pytest.raises(InvalidInput) as caught:
        run_with_mocks(lambda: LlmKeyVault("llm", inputs, opts), run=run, reader=reader)
    (error,) = caught.value.errors
    assert error.path == "unityCatalog.grantUsage"
    return error.reason, run


def assert_says_how_to_proceed(message: str) -> None:
    assert "set unityCatalog.grantUsage to false" in message
    assert "catalog 'main' and schema 'main.llm'" in message
    for statement in (
        "GRANT USE CATALOG ON CATALOG main TO `Rag-App`",
        "GRANT USE SCHEMA ON SCHEMA main.llm TO `Rag-App`",
        "GRANT USE CATALOG ON CATALOG main TO `data-science`",
        "GRANT USE SCHEMA ON SCHEMA main.llm TO `data-science`",
    ):
        assert statement in message


@pytest.mark.parametrize(
    "reason",
    [
        "no Databricks credentials the component can use (default auth: cannot configure default credentials)",
        "permission denied (User does not have MANAGE on Catalog 'main'.)",
    ],
)
def test_a_read_that_cannot_be_made_is_refused_before_anything_is_registered(reason: str) -> None:
    message, run = refused(UC, unable(reason))
    held_on = "what 'Rag-App', 'data-science' already hold on catalog 'main' and schema 'main.llm'"
    assert f"{held_on} could not be read: {reason}." in message
    assert_says_how_to_proceed(message)
    assert run.registrations == []


def test_a_read_failing_on_the_schema_is_refused_too() -> None:
    def make(settings: Mapping[str, str]) -> usage.GrantsReader:
        def read(securable: str, full_name: str) -> usage.Assignments:
            if securable == "schema":
                raise usage.CannotRead("permission denied (no access to main.llm)")
            return []

        return read

    message, run = refused(UC, make)
    held_on = "what 'Rag-App', 'data-science' already hold on schema 'main.llm' could not be read"
    assert f"{held_on}: permission denied (no access to main.llm)" in message
    for statement in ("GRANT USE CATALOG ON CATALOG main TO `data-science`", "set unityCatalog.grantUsage to false"):
        assert statement in message
    assert run.registrations == []


def test_an_explicit_databricks_provider_is_refused() -> None:
    calls: list[tuple[str, str]] = []

    def build() -> LlmKeyVault:
        explicit = pulumi.ProviderResource("databricks", "other-workspace", {})
        return LlmKeyVault("llm", UC, pulumi.ResourceOptions(providers={"databricks": explicit}))

    run = Run()
    with pytest.raises(InvalidInput) as caught:
        run_with_mocks(build, run=run, reader=workspace(HELD, calls))
    (error,) = caught.value.errors
    assert error.path == "unityCatalog.grantUsage"
    assert "an explicit provider, whose configuration (workspace and credentials) the component cannot see" in (
        error.reason
    )
    assert_says_how_to_proceed(error.reason)
    assert calls == []
    assert [r.type for r in run.registrations] == ["pulumi:providers:databricks"]


def test_a_secret_principal_is_not_named_in_a_refusal() -> None:
    plan = check_inputs("llm", {**UC, "readers": ["svc-0f3a9c"]})[1]
    _, problems = usage.held_privileges(plan, None, secret_principals=True, why_not="permission denied")
    with pytest.raises(InvalidInput) as caught:
        problems.raise_if_any()
    message = str(caught.value)
    assert "svc-0f3a9c" not in message
    assert "a principal given as a secret (sha256 " in message
    assert "GRANT USE CATALOG ON CATALOG main TO `<principal>`" in message


def test_the_stack_databricks_configuration_is_what_the_sdk_is_given() -> None:
    config = {"databricks:host": "https://adb-1.azuredatabricks.net", "databricks:token": TOKEN, "databricks:x": "y"}
    found = usage.stack_databricks_config(lambda key: config.get(key))
    assert found == {"host": "https://adb-1.azuredatabricks.net", "token": TOKEN}
    assert usage.stack_databricks_config(lambda key: None) == {}


# The reader through databricks-sdk itself, against a local server that answers as the
# permissions API does, with no credentials of the machine's in reach.


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[PermissionsApi]:
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("HOME", str(tmp_path))
    with permissions_api() as served:
        yield served


def test_the_sdk_reader_reads_the_grants_and_a_missing_securable_holds_nothing(api: PermissionsApi) -> None:
    api.grants("catalog", "main", {"ds": ["BROWSE", "READ_SECRET"]})
    read = usage.workspace_reader({"host": api.url, "token": TOKEN})
    assert read("catalog", "main") == [("ds", ["BROWSE", "READ_SECRET"])]
    assert read("schema", "main.absent") == []
    assert set(api.authorizations) == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (403, "PERMISSION_DENIED", "permission denied (User does not have MANAGE on Catalog 'main'"),
        (401, "UNAUTHENTICATED", "the credentials were refused (User does not have MANAGE on Catalog 'main'"),
    ],
)
def test_the_sdk_reader_names_a_refused_read_without_the_token(
    api: PermissionsApi, status: int, code: str, expected: str
) -> None:
    api.error("catalog", "main", status, code, f"User does not have MANAGE on Catalog 'main'. token {TOKEN}")
    read = usage.workspace_reader({"host": api.url, "token": TOKEN})
    with pytest.raises(usage.CannotRead) as caught:
        read("catalog", "main")
    assert caught.value.reason.startswith(expected)
    assert TOKEN not in caught.value.reason


def test_no_credentials_at_all_is_a_clear_reason(api: PermissionsApi) -> None:
    with pytest.raises(usage.CannotRead) as caught:
        usage.workspace_reader({})
    assert caught.value.reason.startswith("no Databricks credentials the component can use")


def test_a_token_from_the_environment_is_never_quoted(api: PermissionsApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    api.error("schema", "main.llm", 403, "PERMISSION_DENIED", f"denied for {TOKEN}")
    read = usage.workspace_reader({"host": api.url})
    with pytest.raises(usage.CannotRead) as caught:
        read("schema", "main.llm")
    assert caught.value.reason.startswith("permission denied (denied for ***")
    assert TOKEN not in caught.value.reason
    assert set(api.authorizations) == {f"Bearer {TOKEN}"}


def test_a_404_that_is_not_a_missing_securable_is_refused(api: PermissionsApi) -> None:
    """A host that is not a Unity Catalog workspace must not read as "nobody holds anything"."""
    api.error("catalog", "main", 404, "ENDPOINT_NOT_FOUND", "No API found for 'GET /unity-catalog/permissions'")
    read = usage.workspace_reader({"host": api.url, "token": TOKEN})
    with pytest.raises(usage.CannotRead) as caught:
        read("catalog", "main")
    assert caught.value.reason.startswith("not found, with no answer about catalog 'main' (No API found")
