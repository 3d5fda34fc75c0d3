"""The Unity Catalog backend and key expiry: the plan's rules, and the children under mocks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock

import pytest
from conftest import FAKE_KEYS, assert_no_key_in
from llmkeyvault_provider import InvalidInput, LlmKeyVault
from llmkeyvault_provider.expiry import expiry_warnings, parse_expiry
from llmkeyvault_provider.plan import check_inputs
from llmkeyvault_provider.plandata import VaultPlan
from support.fake_keys import fake_key
from support.mocks import Run, run_with_mocks
from support.standin_engine import SECRET_SIG, SIG_KEY

pytestmark = pytest.mark.component

UC_SECRET = "databricks:index/secretUc:SecretUc"
GRANTS = "databricks:index/grants:Grants"
GRANT = "databricks:index/grant:Grant"
SCHEMA = "databricks:index/schema:Schema"
KV_SECRET = "azure-native:keyvault:Secret"
RID = (
    "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-llm"
    "/providers/Microsoft.KeyVault/vaults/kv-llm-keys"
)
UC: dict[str, Any] = {"backend": "unity-catalog", "unityCatalog": {"catalog": "main", "schema": "llm"}}


def key(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "apiKey": FAKE_KEYS.get(name, FAKE_KEYS["my-llm"]), **fields}


def plan(inputs: dict[str, Any]) -> VaultPlan:
    return check_inputs("llm", inputs)[1]


def refusal(inputs: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        plan(inputs)
    assert_no_key_in(str(caught.value))
    return {e.path: e.reason for e in caught.value.errors}


def test_secret_names_default_to_provider_api_key_with_underscores() -> None:
    p = plan({**UC, "providers": [key("openai"), key("azure-openai")]})
    assert p.scopes == ()
    assert [(s.provider, s.key) for s in p.secrets] == [
        ("openai", "openai_api_key"),
        ("azure-openai", "azure_openai_api_key"),
    ]


def test_per_secret_grants_at_every_level_and_own_readers_without_scope_per_provider() -> None:
    p = plan(
        {
            **UC,
            "providers": [key("openai", readers=["rag-app"]), key("anthropic")],
            "readers": ["ds"],
            "writers": ["etl"],
            "managers": ["platform"],
            "referencers": ["serving-sp"],
        }
    )
    by_secret = {(g.provider, g.principal, g.permission) for g in p.grants}
    assert by_secret == {
        ("openai", "ds", "READ_SECRET"),
        ("openai", "etl", "WRITE_SECRET"),
        ("openai", "platform", "MANAGE"),
        ("openai", "serving-sp", "REFERENCE_SECRET"),
        ("openai", "rag-app", "READ_SECRET"),
        ("anthropic", "ds", "READ_SECRET"),
        ("anthropic", "etl", "WRITE_SECRET"),
        ("anthropic", "platform", "MANAGE"),
        ("anthropic", "serving-sp", "REFERENCE_SECRET"),
    }
    assert {(u.securable, u.principal, u.privilege) for u in p.usage} == {
        (securable, principal, privilege)
        for principal in ("ds", "etl", "platform", "serving-sp", "rag-app")
        for securable, privilege in (("catalog", "USE_CATALOG"), ("schema", "USE_SCHEMA"))
    }


def test_usage_grants_are_named_by_identity_and_spelled_whatever_the_provider_order() -> None:
    # Renaming a Grant would create the new one, then delete the old one, which revokes every
    # privilege of the principal: a change of letter case alone must not rename it.
    def usage(providers: list[dict[str, Any]], readers: list[str]) -> list[tuple[str, str]]:
        return [(u.resource_name, u.principal) for u in plan({**UC, "providers": providers, "readers": readers}).usage]

    assert usage([key("openai")], ["Data-Science"]) == [
        ("llm-use-catalog-data-science", "Data-Science"),
        ("llm-use-schema-data-science", "Data-Science"),
    ]
    assert [name for name, _ in usage([key("openai")], ["data-science"])] == [
        name for name, _ in usage([key("openai")], ["Data-Science"])
    ]
    one_way = usage([key("openai", readers=["rag-app"]), key("anthropic", readers=["RAG-App"])], [])
    other_way = usage([key("anthropic", readers=["RAG-App"]), key("openai", readers=["rag-app"])], [])
    assert one_way == other_way == [("llm-use-catalog-rag-app", "RAG-App"), ("llm-use-schema-rag-app", "RAG-App")]


def test_grant_usage_off_plans_no_usage_grants() -> None:
    p = plan(
        {
            **UC,
            "unityCatalog": {**UC["unityCatalog"], "grantUsage": False},
            "providers": [key("openai")],
            "readers": ["ds"],
        }
    )
    assert p.usage == ()


UC_BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("unity-catalog without unityCatalog", {"backend": "unity-catalog"}, "unityCatalog", "is required"),
    ("unityCatalog on databricks", {"unityCatalog": UC["unityCatalog"]}, "unityCatalog", "only used with backend"),
    ("referencers on databricks", {"referencers": ["sp"]}, "referencers", "only used with backend 'unity-catalog'"),
    ("scopeName with unity-catalog", {**UC, "scopeName": "keys"}, "scopeName", "not used with backend"),
    ("scopePerProvider with unity-catalog", {**UC, "scopePerProvider": True}, "scopePerProvider", "not used"),
    ("keyVault with unity-catalog", {**UC, "keyVault": {"resourceId": RID}}, "keyVault", "not used"),
    (
        "catalog with a dot",
        {**UC, "unityCatalog": {"catalog": "a.b", "schema": "s"}},
        "unityCatalog.catalog",
        "Unity Catalog name",
    ),
    (
        "schema with a space",
        {**UC, "unityCatalog": {"catalog": "main", "schema": "my keys"}},
        "unityCatalog.schema",
        "Unity Catalog name",
    ),
    (
        "key-shaped catalog",
        {**UC, "unityCatalog": {"catalog": "team:" + fake_key("openai-project"), "schema": "s"}},
        "unityCatalog.catalog",
        "looks like key material",
    ),
    (
        "secret name with a dot",
        {**UC, "providers": [key("openai", secretKey="a.b")]},
        "providers[0].secretKey",
        "Unity Catalog secret name",
    ),
    (
        "secret names equal ignoring case",
        {**UC, "providers": [key("openai", secretKey="Key"), key("anthropic", secretKey="key")]},
        "providers[1].secretKey",
        "ignore letter case",
    ),
    (
        "secret name too long with the suffix",
        {**UC, "uniqueSuffix": True, "providers": [key("openai", secretKey="k" * 250)]},
        "providers[0].secretKey",
        "at most 255",
    ),
    (
        "malformed expiresAt",
        {"providers": [key("openai", expiresAt="31/12/2026")]},
        "providers[0].expiresAt",
        "RFC 3339",
    ),
    (
        "expiresAt without offset",
        {"providers": [key("openai", expiresAt="2026-12-31T00:00:00")]},
        "providers[0].expiresAt",
        "RFC 3339",
    ),
    (
        "expiresAt month 13",
        {"providers": [key("openai", expiresAt="2026-13-01T00:00:00Z")]},
        "providers[0].expiresAt",
        "RFC 3339",
    ),
    ("rotationWarningDays negative", {"rotationWarningDays": -1}, "rotationWarningDays", "0 to 3650"),
    ("rotationWarningDays not a number", {"rotationWarningDays": "14"}, "rotationWarningDays", "whole number"),
    ("adopt with uniqueSuffix", {"adopt": True, "uniqueSuffix": True}, "adopt", "uniqueSuffix"),
    (
        "adopt of users MANAGE without workspaceUsersAcl",
        {"adopt": True, "managers": ["Users"], "allowWorkspaceUsers": True},
        "adopt",
        "workspaceUsersAcl",
    ),
    ("users reader without allow on UC", {**UC, "readers": ["Account Users"]}, "readers[0]", "allowWorkspaceUsers"),
    ("referencer also a reader", {**UC, "readers": ["sp"], "referencers": ["SP"]}, "referencers[0]", "also readers[0]"),
    (
        "key past 60 KB on UC",
        {**UC, "providers": [{"name": "openai", "apiKey": "sk-test-" + "x" * 61440}]},
        "providers[0].apiKey",
        "at most 61440",
    ),
]


@pytest.mark.parametrize(("inputs", "path", "fragment"), [c[1:] for c in UC_BAD], ids=[c[0] for c in UC_BAD])
def test_unity_catalog_refusals(inputs: dict[str, Any], path: str, fragment: str) -> None:
    inputs = {"providers": [key("openai")], **inputs}
    problems = refusal(inputs)
    assert path in problems, problems
    assert fragment in problems[path]


def test_rfc3339_parsing() -> None:
    assert parse_expiry("2027-03-31T00:00:00Z") == datetime(2027, 3, 31, tzinfo=timezone.utc)
    assert parse_expiry("2027-03-31T02:00:00.123456789+02:00") == datetime(
        2027, 3, 31, 0, 0, 0, 123456, tzinfo=timezone.utc
    )
    assert parse_expiry("2027-03-31") is None


def test_expiry_warnings_within_the_window_and_past() -> None:
    now = datetime(2026, 11, 28, tzinfo=timezone.utc)
    expirations = {
        "openai": now + timedelta(days=3),
        "anthropic": now + timedelta(days=30),
        "cohere": now - timedelta(days=1),
    }
    warnings = expiry_warnings(expirations, 14, now)
    assert [(w.provider, w.expired) for w in warnings] == [("openai", False), ("cohere", True)]
    assert "expires on 2026-12-01T00:00:00Z, in 3 day(s)" in warnings[0].message(now)
    assert "expired on 2026-11-27T00:00:00Z" in warnings[1].message(now)


def build(inputs: dict[str, Any]) -> tuple[Run, list[str]]:
    with mock.patch("pulumi.log.warn") as warn:
        run = run_with_mocks(lambda: LlmKeyVault("llm", inputs))
    return run, [str(c.args[0]) for c in warn.call_args_list]


def test_unity_catalog_children_inputs_and_outputs() -> None:
    expires = "2030-01-01T00:00:00Z"
    run, _ = build(
        {
            **UC,
            "providers": [key("openai", readers=["rag-app"], expiresAt=expires), key("anthropic")],
            "readers": ["ds"],
            "referencers": ["serving-sp"],
        }
    )
    secrets = {r.name: r for r in run.of_type(UC_SECRET)}
    assert set(secrets) == {"llm-secret/openai_api_key", "llm-secret/anthropic_api_key"}
    openai = secrets["llm-secret/openai_api_key"]
    assert openai.inputs == {
        "catalogName": "main",
        "schemaName": "llm",
        "name": "openai_api_key",
        "value": {SIG_KEY: SECRET_SIG, "value": FAKE_KEYS["openai"]},
        "comment": "API key of LLM provider 'openai', managed by LlmKeyVault llm",
        "expireTime": expires,
    }
    assert openai.delete_before_replace is False  # a new value updates a UC secret in place
    grants = {r.name: r.inputs for r in run.of_type(GRANTS)}
    assert grants["llm-grants/openai_api_key"] == {
        "secret": "main.llm.openai_api_key",
        "grants": [
            {"principal": "ds", "privileges": ["READ_SECRET"]},
            {"principal": "rag-app", "privileges": ["READ_SECRET"]},
            {"principal": "serving-sp", "privileges": ["REFERENCE_SECRET"]},
        ],
    }
    assert {r.name: r.inputs for r in run.of_type(GRANT)}["llm-use-catalog-rag-app"] == {
        "catalog": "main",
        "principal": "rag-app",
        "privileges": ["USE_CATALOG"],
    }
    assert len(run.of_type(GRANT)) == 6 and run.of_type(SCHEMA) == []
    # deleting a Grant revokes all of its principal's privileges there: never after the new one
    assert all(r.delete_before_replace for r in run.of_type(GRANT))
    assert run.of_type("databricks:index/secretScope:SecretScope") == []
    assert run.outputs["secretFullNames"] == {
        "openai": "main.llm.openai_api_key",
        "anthropic": "main.llm.anthropic_api_key",
    }
    assert run.outputs["secretReferences"] == {} and run.outputs["environmentVariables"] == {}
    assert run.outputs["expirations"] == {"openai": expires}
    assert {
        "scope": "",
        "secret": "main.llm.openai_api_key",
        "principal": "serving-sp",
        "permission": "REFERENCE_SECRET",
    } in run.outputs["grants"]
    for registration in run.registrations:
        if registration.type != UC_SECRET:
            assert_no_key_in(str(registration.inputs))


def test_create_schema_and_suffix_and_no_usage_grants() -> None:
    run, _ = build(
        {
            **UC,
            "unityCatalog": {"catalog": "main", "schema": "llm", "createSchema": True, "grantUsage": False},
            "providers": [key("openai")],
            "readers": ["ds"],
            "uniqueSuffix": True,
        }
    )
    (schema,) = run.of_type(SCHEMA)
    assert schema.inputs["catalogName"] == "main" and schema.inputs["name"] == "llm"
    (secret,) = run.of_type(UC_SECRET)
    assert secret.inputs["name"] == "openai_api_key_0a1b2c3d"
    assert schema.urn in secret.dependencies
    assert run.of_type(GRANT) == []
    assert run.outputs["secretFullNames"] == {"openai": "main.llm.openai_api_key_0a1b2c3d"}


def test_no_grants_resource_for_a_secret_nobody_is_granted() -> None:
    run, _ = build({**UC, "providers": [key("openai")]})
    assert run.of_type(GRANTS) == [] and run.of_type(GRANT) == []


def test_expiry_on_key_vault_is_unix_seconds_and_warns() -> None:
    soon = (datetime.now(timezone.utc) + timedelta(days=5)).replace(microsecond=0)
    run, warnings = build(
        {
            "providers": [key("openai", expiresAt=soon.strftime("%Y-%m-%dT%H:%M:%SZ"))],
            "backend": "azure-keyvault",
            "keyVault": {"resourceId": RID},
        }
    )
    (secret,) = run.of_type(KV_SECRET)
    assert secret.inputs["properties"]["attributes"] == {"expires": int(soon.timestamp())}
    assert len(warnings) == 1 and "'openai' expires on" in warnings[0]


def test_expired_key_on_databricks_warns_and_is_reported() -> None:
    run, warnings = build({"providers": [key("openai", expiresAt="2020-01-01T00:00:00Z")]})
    assert run.outputs["expirations"] == {"openai": "2020-01-01T00:00:00Z"}
    assert any("expired on 2020-01-01T00:00:00Z" in w for w in warnings)
    assert all(FAKE_KEYS["openai"] not in w for w in warnings)


#: a scope that workspace users manage, as the raw program made it: what adoption takes over
RAW_PROGRAM_SCOPE = {
    "providers": [key("openai")],
    "scopeName": "llm-keys",
    "readers": ["ds"],
    "managers": ["users"],
    "allowWorkspaceUsers": True,
    "workspaceUsersAcl": True,
}


def import_ids(run: Run) -> dict[str, str]:
    """Each adopted child's provider id (Pulumi's ``import`` option), by resource name."""
    return {r.name: r.import_id for r in run.registrations if r.import_id}


def test_adopt_imports_every_child_by_its_provider_id() -> None:
    run, _ = build({**RAW_PROGRAM_SCOPE, "adopt": True})
    assert import_ids(run) == {
        "llm-scope": "llm-keys",
        "llm-secret/openai-api-key": "llm-keys|||openai-api-key",
        "llm-acl-ds": "llm-keys|||ds",
        "llm-acl-users": "llm-keys|||users",
    }
    (scope,) = run.of_type("databricks:index/secretScope:SecretScope")
    assert scope.inputs.get("initialManagePrincipal") is None  # never on an adopted scope


def test_removing_adopt_changes_nothing_but_the_import_ids() -> None:
    """After the update that adopted, the program without ``adopt`` registers the same children with
    the same inputs and options: the adopted scope keeps no initial_manage_principal and MANAGE for
    ``users`` stays the ACL that was imported (``workspaceUsersAcl``), so the next update changes nothing."""
    adopted, _ = build({**RAW_PROGRAM_SCOPE, "adopt": True})
    after, _ = build(RAW_PROGRAM_SCOPE)

    def children(run: Run) -> list[tuple[str, str, Any, bool]]:
        return sorted(
            (r.type, r.name, repr(sorted(r.inputs.items())), r.delete_before_replace) for r in run.registrations
        )

    assert children(adopted) == children(after)
    assert not any(r.import_id for r in after.registrations)
    assert after.named("llm-acl-users").inputs == {"scope": "llm-keys", "principal": "users", "permission": "MANAGE"}
    (scope,) = after.of_type("databricks:index/secretScope:SecretScope")
    assert scope.inputs.get("initialManagePrincipal") is None
    # Without workspaceUsersAcl a new scope carries users' MANAGE itself (Standard tier), as before.
    fresh, _ = build({**RAW_PROGRAM_SCOPE, "workspaceUsersAcl": False})
    (scope,) = fresh.of_type("databricks:index/secretScope:SecretScope")
    assert scope.inputs["initialManagePrincipal"] == "users"
    # and an ACL of its own beside it, so that a later change updates the ACL, never the scope
    assert fresh.named("llm-acl-users").inputs == {"scope": "llm-keys", "principal": "users", "permission": "MANAGE"}


def test_adopt_on_unity_catalog_and_key_vault() -> None:
    run, _ = build({**UC, "providers": [key("openai")], "readers": ["ds"], "adopt": True})
    assert import_ids(run) == {
        "llm-secret/openai_api_key": "main.llm.openai_api_key",
        "llm-grants/openai_api_key": "secret/main.llm.openai_api_key",
        "llm-use-catalog-ds": "catalog/main/ds",
        "llm-use-schema-ds": "schema/main.llm/ds",
    }
    run, _ = build(
        {"providers": [key("openai")], "backend": "azure-keyvault", "keyVault": {"resourceId": RID}, "adopt": True}
    )
    assert import_ids(run) == {"llm-scope": "llm", "llm-secret/openai-api-key": RID + "/secrets/openai-api-key"}


def test_external_models_for_the_providers_model_serving_takes_by_key() -> None:
    run, _ = build({"providers": [key("openai"), key("anthropic"), key("cohere"), key("mistral")], "scopeName": "k"})
    assert run.outputs["externalModels"] == {
        "openai": {"provider": "openai", "openaiConfig": {"openaiApiKey": "{{secrets/k/openai-api-key}}"}},
        "anthropic": {
            "provider": "anthropic",
            "anthropicConfig": {"anthropicApiKey": "{{secrets/k/anthropic-api-key}}"},
        },
        "cohere": {"provider": "cohere", "cohereConfig": {"cohereApiKey": "{{secrets/k/cohere-api-key}}"}},
    }
