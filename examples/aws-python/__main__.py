"""LLM API keys for a Databricks workspace on AWS.

One Databricks-backed secret scope with the OpenAI, Anthropic and Amazon Bedrock
keys, READ for the groups that build on them, MANAGE for the platform team, and
nothing for anyone else. The keys come from secret stack configuration. The
scope is named after the stack (llm-keys-dev, llm-keys-prod, ...), so several
stacks can share one workspace.
"""

import pulumi
import pulumi_llmkeyvault as llmkeyvault

config = pulumi.Config()

vault = llmkeyvault.LlmKeyVault(
    "llm-keys",
    scope_name=f"llm-keys-{pulumi.get_stack()}",
    providers=[
        llmkeyvault.ProviderKeyArgs(name="openai", api_key=config.require_secret("openaiApiKey")),
        llmkeyvault.ProviderKeyArgs(name="anthropic", api_key=config.require_secret("anthropicApiKey")),
        llmkeyvault.ProviderKeyArgs(name="amazon-bedrock", api_key=config.require_secret("bedrockSecretAccessKey")),
    ],
    readers=config.require_object("readerGroups"),
    managers=[config.require("managerGroup")],
)

pulumi.export("scopes", vault.scopes)
pulumi.export("secretReferences", vault.secret_references)
pulumi.export("environmentVariables", vault.environment_variables)
pulumi.export("externalModels", vault.external_models)
pulumi.export("grants", vault.grants)
