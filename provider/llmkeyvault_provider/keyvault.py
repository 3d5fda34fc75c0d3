"""Reading the Azure Key Vault that backs a scope: its ARM id and DNS name."""

from __future__ import annotations

from dataclasses import dataclass

from . import rules
from .args import KeyVaultBackingArgs
from .errors import Problems


@dataclass(frozen=True)
class KeyVaultPlan:
    """An existing vault, parsed from its ARM resource id."""

    resource_id: str
    subscription_id: str
    resource_group: str
    vault_name: str
    dns_name: str


def plan_key_vault(backing: KeyVaultBackingArgs, path: str, problems: Problems) -> KeyVaultPlan | None:
    """Parse ``resourceId``; default ``dnsName`` to ``https://<vault>.vault.azure.net/``."""
    resource_id = backing.resource_id.rstrip("/")
    match = rules.KEY_VAULT_RESOURCE_ID.fullmatch(resource_id)
    if match is None:
        problems.add(
            f"{path}.resourceId",
            f"'{backing.resource_id}' is not a Key Vault resource id; expected {rules.KEY_VAULT_RESOURCE_ID_FORM}",
        )
        return None
    vault = match["vault"]
    if not rules.KEY_VAULT_NAME.fullmatch(vault):
        problems.add(
            f"{path}.resourceId",
            f"vault name '{vault}' is not a Key Vault name: 3 to 24 of letters, digits and '-', "
            "starting with a letter, ending with a letter or digit, no '--'",
        )
        return None
    dns_name = backing.dns_name
    if dns_name is None:
        dns_name = f"https://{vault.lower()}.vault.azure.net/"
    elif not rules.KEY_VAULT_DNS_NAME.fullmatch(dns_name):
        problems.add(
            f"{path}.dnsName",
            f"'{dns_name}' is not a Key Vault URI; expected https://<vault>.vault.azure.net/ "
            "(or a sovereign cloud's vault domain)",
        )
        return None
    elif dns_name.removeprefix("https://").split(".", 1)[0].lower() != vault.lower():
        problems.add(
            f"{path}.dnsName",
            f"'{dns_name}' names another vault than '{vault}' of {path}.resourceId; "
            "omit it to use https://<vault>.vault.azure.net/",
        )
        return None
    elif not dns_name.endswith("/"):
        dns_name += "/"
    return KeyVaultPlan(
        resource_id=resource_id,
        subscription_id=match["subscription"],
        resource_group=match["group"],
        vault_name=vault,
        dns_name=dns_name,
    )
