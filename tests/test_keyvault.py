import pytest
from llmkeyvault_provider.args import KeyVaultBackingArgs
from llmkeyvault_provider.errors import Problems
from llmkeyvault_provider.keyvault import plan_key_vault

pytestmark = pytest.mark.unit

SUB = "00000000-1111-2222-3333-444444444444"
RID = f"/subscriptions/{SUB}/resourceGroups/rg-llm/providers/Microsoft.KeyVault/vaults/kv-llm-keys"


def test_resource_id_is_parsed_and_dns_name_defaults() -> None:
    problems = Problems()
    plan = plan_key_vault(KeyVaultBackingArgs(RID), "keyVault", problems)
    assert not problems
    assert plan is not None
    assert (plan.resource_id, plan.resource_group, plan.vault_name) == (RID, "rg-llm", "kv-llm-keys")
    assert plan.dns_name == "https://kv-llm-keys.vault.azure.net/"


def test_segment_names_are_case_insensitive_and_trailing_slash_is_dropped() -> None:
    rid = f"/SUBSCRIPTIONS/{SUB}/resourcegroups/rg/PROVIDERS/microsoft.keyvault/VAULTS/kv-abc/"
    plan = plan_key_vault(KeyVaultBackingArgs(rid), "keyVault", Problems())
    assert plan is not None
    assert plan.vault_name == "kv-abc"
    assert not plan.resource_id.endswith("/")


def test_sovereign_cloud_dns_name_is_kept_with_a_trailing_slash() -> None:
    plan = plan_key_vault(KeyVaultBackingArgs(RID, "https://kv-llm-keys.vault.azure.cn"), "keyVault", Problems())
    assert plan is not None
    assert plan.dns_name == "https://kv-llm-keys.vault.azure.cn/"


@pytest.mark.parametrize(
    ("resource_id", "dns_name", "field", "fragment"),
    [
        ("kv-llm-keys", None, "keyVault.resourceId", "is not a Key Vault resource id"),
        (
            RID.replace("Microsoft.KeyVault", "Microsoft.Storage"),
            None,
            "keyVault.resourceId",
            "expected /subscriptions/",
        ),
        (RID.replace(SUB, "not-a-guid"), None, "keyVault.resourceId", "is not a Key Vault resource id"),
        (RID + "/secrets/x", None, "keyVault.resourceId", "is not a Key Vault resource id"),
        (RID.replace("kv-llm-keys", "kv"), None, "keyVault.resourceId", "3 to 24"),
        (RID.replace("kv-llm-keys", "kv--llm"), None, "keyVault.resourceId", "no '--'"),
        (RID.replace("kv-llm-keys", "9kv"), None, "keyVault.resourceId", "starting with a letter"),
        (RID, "http://kv-llm-keys.vault.azure.net/", "keyVault.dnsName", "is not a Key Vault URI"),
        (RID, "https://other.vault.azure.net/", "keyVault.dnsName", "names another vault"),
    ],
)
def test_bad_backing_is_refused(resource_id: str, dns_name: str | None, field: str, fragment: str) -> None:
    problems = Problems()
    assert plan_key_vault(KeyVaultBackingArgs(resource_id, dns_name), "keyVault", problems) is None
    try:
        problems.raise_if_any()
    except ValueError as e:
        errors = e.errors  # type: ignore[attr-defined]
        assert [x.path for x in errors] == [field]
        assert fragment in errors[0].reason
    else:
        pytest.fail("no problem reported")
