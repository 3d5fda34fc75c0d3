"""Every rule of the contract, on the pure planning layer."""

from typing import Any

import pytest
from conftest import FAKE_KEYS, assert_no_key_in
from llmkeyvault_provider.args import VAULT_FIELDS, Backend
from llmkeyvault_provider.errors import InvalidInput
from llmkeyvault_provider.levels import LEVELS, PRINCIPAL_FIELDS
from llmkeyvault_provider.plan import check_inputs, keep_deployer
from llmkeyvault_provider.plandata import GrantPlan, VaultPlan

pytestmark = pytest.mark.unit

SUB = "00000000-1111-2222-3333-444444444444"
RID = f"/subscriptions/{SUB}/resourceGroups/rg-llm/providers/Microsoft.KeyVault/vaults/kv-llm-keys"


def key(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "apiKey": FAKE_KEYS.get(name, FAKE_KEYS["my-llm"]), **fields}


def plan(inputs: dict[str, Any], name: str = "llm") -> VaultPlan:
    return check_inputs(name, inputs)[1]


TWO = [key("openai"), key("anthropic")]


def test_one_databricks_scope_by_default_named_after_the_resource() -> None:
    p = plan({"providers": TWO})
    assert p.backend is Backend.DATABRICKS
    assert [(s.name, s.resource_name, s.providers, s.initial_manage_principal) for s in p.scopes] == [
        ("llm", "llm-scope", ("openai", "anthropic"), None)
    ]
    assert [(s.provider, s.scope, s.key, s.env_var_name, s.resource_name) for s in p.secrets] == [
        ("openai", "llm", "openai-api-key", "OPENAI_API_KEY", "llm-secret/openai-api-key"),
        ("anthropic", "llm", "anthropic-api-key", "ANTHROPIC_API_KEY", "llm-secret/anthropic-api-key"),
    ]
    assert [s.former_resource_name for s in p.secrets] == ["llm-secret-openai", "llm-secret-anthropic"]
    assert p.key_vault is None and p.suffix_resource_name is None


def test_least_privilege_no_grant_unless_named() -> None:
    p = plan({"providers": TWO})
    assert p.grants == ()
    assert all(s.initial_manage_principal is None for s in p.scopes)


def test_scope_name_secret_key_and_env_var_overrides() -> None:
    p = plan({"providers": [key("my-llm", secretKey="my_llm.key", envVarName="MY_TOKEN")], "scopeName": "team.llm"})
    assert p.scopes[0].name == "team.llm"
    assert (p.secrets[0].key, p.secrets[0].env_var_name) == ("my_llm.key", "MY_TOKEN")


def test_grants_at_each_level_sorted() -> None:
    p = plan({"providers": TWO, "readers": ["ds", "analysts"], "writers": ["etl-sp"], "managers": ["platform"]})
    assert p.grants == (
        GrantPlan("llm", "analysts", "READ", "llm-acl-analysts", "", "llm-acl-analysts"),
        GrantPlan("llm", "ds", "READ", "llm-acl-ds", "", "llm-acl-ds"),
        GrantPlan("llm", "etl-sp", "WRITE", "llm-acl-etl-sp", "", "llm-acl-etl-sp"),
        GrantPlan("llm", "platform", "MANAGE", "llm-acl-platform", "", "llm-acl-platform"),
    )


def test_scope_per_provider_with_own_readers() -> None:
    p = plan(
        {
            "providers": [key("openai", readers=["chatbot-sp"]), key("anthropic")],
            "scopePerProvider": True,
            "scopeName": "llm-keys",
            "readers": ["ds"],
        }
    )
    assert [(s.name, s.resource_name, s.providers) for s in p.scopes] == [
        ("llm-keys-openai", "llm-scope-openai", ("openai",)),
        ("llm-keys-anthropic", "llm-scope-anthropic", ("anthropic",)),
    ]
    assert [s.scope for s in p.secrets] == ["llm-keys-openai", "llm-keys-anthropic"]
    assert p.grants == (
        GrantPlan("llm-keys-anthropic", "ds", "READ", "llm-acl-anthropic/ds", "", "llm-acl-anthropic/ds"),
        GrantPlan(
            "llm-keys-openai", "chatbot-sp", "READ", "llm-acl-openai/chatbot-sp", "", "llm-acl-openai/chatbot-sp"
        ),
        GrantPlan("llm-keys-openai", "ds", "READ", "llm-acl-openai/ds", "", "llm-acl-openai/ds"),
    )


def test_same_secret_key_in_different_scopes_is_fine() -> None:
    p = plan({"providers": [key("openai", secretKey="k"), key("anthropic", secretKey="k")], "scopePerProvider": True})
    assert [s.key for s in p.secrets] == ["k", "k"]
    assert [s.resource_name for s in p.secrets] == ["llm-secret-openai/k", "llm-secret-anthropic/k"]


def test_acls_are_named_by_the_principal_without_case() -> None:
    p = plan({"providers": TWO, "readers": ["Alice@Example.COM"]})
    assert p.grants == (
        GrantPlan("llm", "Alice@Example.COM", "READ", "llm-acl-alice@example.com", "", "llm-acl-Alice@Example.COM"),
    )


def test_unique_suffix_plans_a_random_id() -> None:
    p = plan({"providers": TWO, "uniqueSuffix": True})
    assert p.suffix_resource_name == "llm-suffix"
    assert p.scopes[0].name == "llm"  # the suffix is appended once it exists


def test_users_manage_is_carried_by_initial_manage_principal() -> None:
    p = plan({"providers": TWO, "managers": ["users"], "readers": ["ds"], "allowWorkspaceUsers": True})
    assert p.scopes[0].initial_manage_principal == "users"
    # and an ACL of its own too: the scope ignores later changes of initial_manage_principal
    assert GrantPlan("llm", "users", "MANAGE", "llm-acl-users", "", "llm-acl-users") in p.grants
    assert GrantPlan("llm", "ds", "READ", "llm-acl-ds", "", "llm-acl-ds") in p.grants


def test_users_read_with_allow_is_an_acl() -> None:
    p = plan({"providers": TWO, "readers": ["users"], "allowWorkspaceUsers": True})
    assert p.scopes[0].initial_manage_principal is None
    assert p.grants == (GrantPlan("llm", "users", "READ", "llm-acl-users", "", "llm-acl-users"),)


def test_key_vault_backend() -> None:
    p = plan({"providers": TWO, "backend": "azure-keyvault", "keyVault": {"resourceId": RID}, "readers": ["ds"]})
    assert p.backend is Backend.AZURE_KEY_VAULT
    assert p.key_vault is not None and p.key_vault.vault_name == "kv-llm-keys"
    assert [s.key for s in p.secrets] == ["openai-api-key", "anthropic-api-key"]


def test_longest_scope_name_that_fits_with_suffix() -> None:
    p = plan({"providers": TWO, "scopeName": "s" * 119, "uniqueSuffix": True})
    assert len(p.scopes[0].name) + 9 == 128


KV = {"backend": "azure-keyvault", "keyVault": {"resourceId": RID}}

BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("empty providers", {"providers": []}, "providers", "at least one"),
    ("upper-case provider id", {"providers": [key("OpenAI")]}, "providers[0].name", "is not a provider id"),
    ("provider id with space", {"providers": [key("open ai")]}, "providers[0].name", "is not a provider id"),
    ("provider id too long", {"providers": [key("a" * 41)]}, "providers[0].name", "1 to 40"),
    ("provider id starting with -", {"providers": [key("-x")]}, "providers[0].name", "starting with a letter"),
    ("duplicate providers", {"providers": [key("openai"), key("openai")]}, "providers[1].name", "already providers[0]"),
    ("scope name with slash", {"providers": TWO, "scopeName": "team/llm"}, "scopeName", "is not a valid scope name"),
    ("empty scope name", {"providers": TWO, "scopeName": ""}, "scopeName", "1 to 128 of letters"),
    (
        "resource name not a scope name",
        {"providers": TWO, "__name": "my vault"},
        "scopeName",
        "defaults to the resource name",
    ),
    ("scope name too long", {"providers": TWO, "scopeName": "s" * 129}, "scopeName", "129 characters; at most 128"),
    (
        "too long after suffix",
        {"providers": TWO, "scopeName": "s" * 120, "uniqueSuffix": True},
        "scopeName",
        "with the 9-character unique suffix: it is 129 characters",
    ),
    (
        "too long after prefix",
        {"providers": [key("anthropic")], "scopeName": "s" * 119, "scopePerProvider": True},
        "scopeName",
        "129 characters",
    ),
    (
        "secret key with slash",
        {"providers": [key("openai", secretKey="a/b")]},
        "providers[0].secretKey",
        "is not a valid secret key",
    ),
    (
        "secret key too long",
        {"providers": [key("openai", secretKey="k" * 129)]},
        "providers[0].secretKey",
        "129 characters; at most 128",
    ),
    (
        "duplicate secret keys",
        {"providers": [key("openai", secretKey="k"), key("anthropic", secretKey="k")]},
        "providers[1].secretKey",
        "already the key of providers[0]",
    ),
    (
        "bad env var name",
        {"providers": [key("openai", envVarName="OPENAI-KEY")]},
        "providers[0].envVarName",
        "is not an environment variable name",
    ),
    (
        "duplicate env var names",
        {"providers": [key("openai"), key("my-llm", envVarName="OPENAI_API_KEY")]},
        "providers[1].envVarName",
        "already the variable of providers[0]",
    ),
    ("reader and manager", {"providers": TWO, "readers": ["ds"], "managers": ["ds"]}, "managers[0]", "also readers[0]"),
    (
        "writer and reader",
        {"providers": TWO, "readers": ["a", "etl"], "writers": ["etl"]},
        "writers[0]",
        "also readers[1]",
    ),
    ("reader twice", {"providers": TWO, "readers": ["ds", "ds"]}, "readers[1]", "listed twice"),
    ("users without allow", {"providers": TWO, "managers": ["users"]}, "managers[0]", "allowWorkspaceUsers"),
    ("users reader without allow", {"providers": TWO, "readers": ["users"]}, "readers[0]", "every user"),
    ("blank principal", {"providers": TWO, "readers": [" ds"]}, "readers[0]", "without surrounding spaces"),
    ("empty principal", {"providers": TWO, "writers": [""]}, "writers[0]", "principal name"),
    ("principal too long", {"providers": TWO, "readers": ["p" * 256]}, "readers[0]", "at most 255"),
    (
        "per-provider readers without scopePerProvider",
        {"providers": [key("openai", readers=["bot"])]},
        "providers[0].readers",
        "needs scopePerProvider",
    ),
    (
        "per-provider reader already global reader",
        {"providers": [key("openai", readers=["ds"])], "scopePerProvider": True, "readers": ["ds"]},
        "providers[0].readers[0]",
        "already reads every scope",
    ),
    (
        "per-provider reader is a manager",
        {"providers": [key("openai", readers=["ops"])], "scopePerProvider": True, "managers": ["ops"]},
        "providers[0].readers[0]",
        "also managers[0]",
    ),
    (
        "per-provider users without allow",
        {"providers": [key("openai", readers=["users"])], "scopePerProvider": True},
        "providers[0].readers[0]",
        "allowWorkspaceUsers",
    ),
    (
        "key vault backend without keyVault",
        {"providers": TWO, "backend": "azure-keyvault"},
        "keyVault",
        "is required with backend 'azure-keyvault'",
    ),
    (
        "keyVault with databricks backend",
        {"providers": TWO, "keyVault": {"resourceId": RID}},
        "keyVault",
        "only used with backend 'azure-keyvault'",
    ),
    (
        "malformed resourceId",
        {"providers": TWO, "backend": "azure-keyvault", "keyVault": {"resourceId": "kv-llm"}},
        "keyVault.resourceId",
        "is not a Key Vault resource id",
    ),
    (
        "scopePerProvider with key vault",
        {"providers": TWO, "scopePerProvider": True, **KV},
        "scopePerProvider",
        "cannot be used with backend 'azure-keyvault'",
    ),
    (
        "key vault name with underscore",
        {"providers": [key("openai", secretKey="openai_key")], **KV},
        "providers[0].secretKey",
        "for example 'openai-key'",
    ),
    (
        "key vault name with dot",
        {"providers": [key("openai", secretKey="openai.key")], **KV},
        "providers[0].secretKey",
        "cannot name an Azure Key Vault secret",
    ),
    (
        "key vault names equal ignoring case",
        {"providers": [key("openai", secretKey="Key-A"), key("anthropic", secretKey="key-a")], **KV},
        "providers[1].secretKey",
        "already the key of providers[0]",
    ),
    (
        "key vault name too long",
        {"providers": [key("openai", secretKey="k" * 128)], **KV},
        "providers[0].secretKey",
        "1 to 127",
    ),
    ("unknown backend", {"providers": TWO, "backend": "hashicorp-vault"}, "backend", "valid backends are"),
]


@pytest.mark.parametrize(
    ("inputs", "path", "fragment"), [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS]
)
def test_bad_input_is_refused_with_field_path_and_no_key(inputs: dict[str, Any], path: str, fragment: str) -> None:
    inputs = dict(inputs)
    name = inputs.pop("__name", "llm")
    with pytest.raises(InvalidInput) as caught:
        plan(inputs, name)
    paths = [e.path for e in caught.value.errors]
    assert path in paths, f"{path} not in {paths}"
    assert fragment in caught.value.errors[paths.index(path)].reason
    assert_no_key_in(str(caught.value))
    assert_no_key_in(repr(caught.value.errors))


def test_at_least_25_distinct_bad_inputs() -> None:
    assert len({case[0] for case in BAD_INPUTS}) >= 25


def test_message_names_the_path_first() -> None:
    with pytest.raises(InvalidInput) as caught:
        plan({"providers": [key("openai"), key("anthropic", secretKey="a/b")]})
    assert "providers[1].secretKey: 'a/b' is not a valid secret key" in str(caught.value)


@pytest.mark.parametrize(("key", "fragment"), [("", "must not be empty"), ("  \t", "must not be empty")])
def test_a_blank_key_is_refused_with_its_path(key: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_inputs("v", {"providers": [{"name": "openai", "apiKey": key}]})
    assert [(e.path, fragment in e.reason) for e in caught.value.errors] == [("providers[0].apiKey", True)]


@pytest.mark.parametrize(
    "backend",
    [
        {},
        {"backend": "azure-keyvault", "keyVault": {"resourceId": RID}},
        {"backend": "unity-catalog", "unityCatalog": {"catalog": "main", "schema": "llm"}},
    ],
    ids=["databricks", "azure-keyvault", "unity-catalog"],
)
def test_a_refused_name_leaves_its_providers_other_fields_checked(backend: dict[str, Any]) -> None:
    bad = key("Bad Name", secretKey="a/b", envVarName="1x", expiresAt="soon")
    with pytest.raises(InvalidInput) as caught:
        plan({"providers": [bad, key("openai", secretKey="c/d")], **backend})
    reasons = {e.path: e.reason for e in caught.value.errors}
    assert set(reasons) == {
        "providers[0].name",
        "providers[0].secretKey",
        "providers[0].envVarName",
        "providers[0].expiresAt",
        "providers[1].secretKey",
    }
    assert "'Bad Name' is not a provider id" in reasons["providers[0].name"]
    assert "'a/b' is not a valid" in reasons["providers[0].secretKey"]
    assert_no_key_in(str(caught.value))


def test_a_refused_name_with_good_fields_is_reported_alone() -> None:
    with pytest.raises(InvalidInput) as caught:
        plan({"providers": [key("Bad Name", secretKey="good-key", envVarName="GOOD"), key("openai")]})
    assert [e.path for e in caught.value.errors] == ["providers[0].name"]


def test_each_child_carries_the_id_an_adoption_imports_it_by() -> None:
    p = plan(
        {"providers": [key("openai"), key("anthropic", external=True, apiKey=None)], "readers": ["ds"], "adopt": True}
    )
    assert [s.import_id for s in p.scopes] == ["llm"]
    assert [(s.provider, s.import_id) for s in p.secrets] == [("openai", "llm|||openai-api-key"), ("anthropic", None)]
    assert [g.import_id for g in p.acls] == ["llm|||ds"]
    kv = plan({"providers": [key("openai")], **KV, "adopt": True})
    assert [s.import_id for s in kv.secrets] == [f"{RID}/secrets/openai-api-key"]


def test_a_uc_secrets_privileges_are_grouped_by_principal_in_the_plan() -> None:
    p = plan(
        {
            "providers": [key("openai", readers=["app"]), key("anthropic")],
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "main", "schema": "llm"},
            "readers": ["ds"],
            "managers": ["ops"],
        }
    )
    by_provider = {g.provider: g for g in p.secret_grants}
    assert set(by_provider) == {"openai", "anthropic"}
    openai = by_provider["openai"]
    assert openai.privileges == (("app", ("READ_SECRET",)), ("ds", ("READ_SECRET",)), ("ops", ("MANAGE",)))
    assert openai.import_id == "secret/main.llm.openai_api_key"
    assert (openai.resource_name, openai.former_resource_name) == ("llm-grants/openai_api_key", "llm-grants-openai")
    assert by_provider["anthropic"].privileges == (("ds", ("READ_SECRET",)), ("ops", ("MANAGE",)))
    assert not openai.per_principal and not by_provider["anthropic"].per_principal
    assert [s.import_id for s in p.secrets] == ["main.llm.openai_api_key", "main.llm.anthropic_api_key"]
    assert {(u.securable, u.import_id) for u in p.usage if u.principal == "ds"} == {
        ("catalog", "catalog/main/ds"),
        ("schema", "schema/main.llm/ds"),
    }


def test_an_external_uc_secret_is_granted_principal_by_principal() -> None:
    """Its owners' grants stay: one ``Grant`` per principal, never the authoritative ``Grants``."""
    p = plan(
        {
            "providers": [key("openai"), key("anthropic", external=True, apiKey=None)],
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "main", "schema": "llm"},
            "readers": ["Data Science"],
        }
    )
    by_provider = {g.provider: g for g in p.secret_grants}
    assert (by_provider["openai"].per_principal, by_provider["anthropic"].per_principal) == (False, True)
    anthropic = by_provider["anthropic"]
    assert anthropic.privileges == (("Data Science", ("READ_SECRET",)),)
    assert anthropic.principal_resource_name("Data Science") == f"{anthropic.resource_name}/data science"


def test_the_deployers_own_acl_is_created_after_the_imports_and_never_imported() -> None:
    args, checked = check_inputs("llm", {"providers": [key("openai")], "writers": ["etl"], "adopt": True})
    p = keep_deployer(args, checked, "deployer@example.com")
    assert [(g.principal, g.after_imports, g.import_id) for g in p.acls] == [
        ("etl", False, "llm|||etl"),
        ("deployer@example.com", True, None),
    ]
    assert [g.principal for g in p.grants] == ["deployer@example.com", "etl"]  # sorted, as every grant is


def test_one_table_names_what_each_principal_field_grants() -> None:
    assert {level.field: (level.permission, level.privilege) for level in LEVELS} == {
        "readers": ("READ", "READ_SECRET"),
        "writers": ("WRITE", "WRITE_SECRET"),
        "managers": ("MANAGE", "MANAGE"),
        "referencers": (None, "REFERENCE_SECRET"),
    }
    assert set(PRINCIPAL_FIELDS) <= set(VAULT_FIELDS)
