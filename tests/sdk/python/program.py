"""A Pulumi program written against the generated Python SDK (pulumi_llmkeyvault).

tests/test_sdks.py type-checks it with mypy --strict in a fresh virtual environment
that has the SDK installed, and runs ``build_vaults`` under Pulumi mocks from
``check_secrets.py``.
"""

from __future__ import annotations

import pulumi
import pulumi_llmkeyvault as llmkeyvault


def build_vaults(
    openai_key: pulumi.Input[str],
    anthropic_key: pulumi.Input[str],
) -> list[llmkeyvault.LlmKeyVault]:
    """Two vaults: one with the args classes, one with plain dictionaries."""
    shared = llmkeyvault.LlmKeyVault(
        "llm-keys",
        llmkeyvault.LlmKeyVaultArgs(
            providers=[
                llmkeyvault.ProviderKeyArgs(name="openai", api_key=openai_key),
                llmkeyvault.ProviderKeyArgs(
                    name="anthropic",
                    api_key=anthropic_key,
                    secret_key="claude-api-key",
                    env_var_name="ANTHROPIC_API_KEY",
                ),
            ],
            readers=["data-science"],
            managers=["platform-admins"],
            unique_suffix=True,
            backend=llmkeyvault.Backend.DATABRICKS,
        ),
    )

    provider: llmkeyvault.ProviderKeyArgsDict = {
        "name": "openai",
        "api_key": openai_key,
        "readers": ["ml-serving"],
    }
    vault_backing: llmkeyvault.KeyVaultBackingArgsDict = {
        "resource_id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
    }
    per_team = llmkeyvault.LlmKeyVault(
        "team-keys",
        providers=[provider],
        scope_name="team",
        backend=llmkeyvault.Backend.AZURE_KEY_VAULT,
        key_vault=vault_backing,
        opts=pulumi.ResourceOptions(protect=False),
    )
    return [shared, per_team]


def export_outputs(vault: llmkeyvault.LlmKeyVault) -> None:
    env: pulumi.Output[dict[str, str]] = vault.environment_variables.apply(dict)
    pulumi.export("environmentVariables", env)
    pulumi.export("secretReferences", vault.secret_references)
    pulumi.export("scopes", vault.scopes)
    grants: pulumi.Output[list[str]] = vault.grants.apply(
        lambda grants: [f"{g.scope}:{g.principal}:{g.permission}" for g in grants]
    )
    pulumi.export("grants", grants)
