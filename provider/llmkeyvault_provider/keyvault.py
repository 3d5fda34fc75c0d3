"""Reading the Azure Key Vault that backs a scope: its ARM id and DNS name."""

from __future__ import annotations

from . import rules
from .args import KeyVaultBackingArgs
from .errors import Problems
from .plandata import KeyVaultPlan


def plan_key_vault(backing: KeyVaultBackingArgs, path: str, problems: Problems) -> KeyVaultPlan | None:
    """Parse ``resourceId``; default ``dnsName`` to ``https://<vault>.vault.azure.net/``."""
    id_path, dns_path = f"{path}.resourceId", f"{path}.dnsName"
    if problems.has(id_path):
        return None
    # Every segment (subscription, resource group, vault) is searched for key material
    # before the id is parsed: a key pasted as a segment would be stored in plain state.
    for field_path, value in ((id_path, backing.resource_id), (dns_path, backing.dns_name)):
        refused = None if value is None or problems.has(field_path) else rules.plain_value_problem(value)
        if refused is not None:
            problems.add(field_path, refused.message, withhold_value=refused.withhold_value)
    if problems.has(id_path):
        return None
    resource_id = backing.resource_id.rstrip("/")
    match = rules.KEY_VAULT_RESOURCE_ID.fullmatch(resource_id)
    if match is None:
        problems.add(
            id_path,
            f"{rules.quoted(backing.resource_id)} is not a Key Vault resource id; "
            f"expected {rules.KEY_VAULT_RESOURCE_ID_FORM}",
        )
        return None
    vault, group = match["vault"], match["group"]
    problem = rules.resource_group_problem(group) or rules.key_vault_name_problem(vault)
    if problem is not None:
        problems.add(id_path, problem)
        return None
    dns_name = backing.dns_name
    if dns_name is None or problems.has(dns_path):
        dns_name = f"https://{vault.lower()}.{rules.KEY_VAULT_DNS_SUFFIXES[0]}/"
    else:
        dns = rules.KEY_VAULT_DNS_NAME.fullmatch(dns_name)
        if dns is None:
            clouds = ", ".join(rules.KEY_VAULT_DNS_SUFFIXES)
            problems.add(
                dns_path,
                f"{rules.quoted(dns_name)} is not a Key Vault URI of an Azure cloud; expected "
                f"https://<vault>.<cloud suffix>/ with one of {clouds}",
            )
            return None
        if dns["vault"].lower() != vault.lower():
            problems.add(
                dns_path,
                f"{rules.quoted(dns_name)} names another vault than {rules.quoted(vault)} of {id_path}; "
                "omit it to use https://<vault>.vault.azure.net/",
            )
            return None
        if not dns_name.endswith("/"):
            dns_name += "/"
    return KeyVaultPlan(
        resource_id=resource_id,
        resource_group=group,
        vault_name=vault,
        dns_name=dns_name,
    )
