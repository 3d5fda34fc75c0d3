"""examples/aws-python written by hand with pulumi_databricks: the benchmark's baseline.

The same scope, keys and grants as the example's LlmKeyVault: one
Databricks-backed scope, one secret per provider, READ for the reader groups and
MANAGE for the manager group, with the same outputs.
"""

import pulumi
import pulumi_databricks as databricks

config = pulumi.Config()
replace_first = pulumi.ResourceOptions(delete_before_replace=True)

scope = databricks.SecretScope("llm-keys-scope", name="llm-keys", backend_type="DATABRICKS", opts=replace_first)

keys = {
    "openai": ("openai-api-key", "OPENAI_API_KEY", config.require_secret("openaiApiKey")),
    "anthropic": ("anthropic-api-key", "ANTHROPIC_API_KEY", config.require_secret("anthropicApiKey")),
    "amazon-bedrock": (
        "amazon-bedrock-api-key",
        "AWS_SECRET_ACCESS_KEY",
        config.require_secret("bedrockSecretAccessKey"),
    ),
}
for provider, (key, _, value) in keys.items():
    databricks.Secret(
        f"llm-keys-secret-{provider}",
        scope=scope.name,
        key=key,
        string_value=value,
        opts=pulumi.ResourceOptions(delete_before_replace=True, depends_on=[scope]),
    )

grants = [(group, "READ") for group in config.require_object("readerGroups")]
grants.append((config.require("managerGroup"), "MANAGE"))
for principal, permission in grants:
    databricks.SecretAcl(
        f"llm-keys-acl-{principal}",
        scope=scope.name,
        principal=principal,
        permission=permission,
        opts=replace_first,
    )

pulumi.export("scopes", [scope.name])
pulumi.export("secretReferences", {p: f"{{{{secrets/llm-keys/{key}}}}}" for p, (key, _, _) in keys.items()})
pulumi.export("environmentVariables", {env: f"{{{{secrets/llm-keys/{key}}}}}" for key, env, _ in keys.values()})
pulumi.export(
    "grants",
    sorted(({"scope": "llm-keys", "principal": p, "permission": perm} for p, perm in grants), key=str),
)
