// A Pulumi program written against the generated Node.js SDK (@llmkeyvault/pulumi).
// tests/test_sdks.py type-checks it with `tsc --noEmit` against the packed SDK.
import * as pulumi from "@pulumi/pulumi";
import * as llmkeyvault from "@llmkeyvault/pulumi";

const config = new pulumi.Config();

const openai: llmkeyvault.types.input.ProviderKeyArgs = {
    name: "openai",
    apiKey: config.requireSecret("openaiApiKey"),
};

const vault = new llmkeyvault.LlmKeyVault("llm-keys", {
    providers: [
        openai,
        {
            name: "anthropic",
            apiKey: config.requireSecret("anthropicApiKey"),
            secretKey: "claude-api-key",
            readers: ["ml-serving"],
        },
    ],
    readers: ["data-science"],
    managers: ["platform-admins"],
    scopePerProvider: true,
    uniqueSuffix: true,
    backend: llmkeyvault.Backend.Databricks,
});

const backed = new llmkeyvault.LlmKeyVault("team-keys", {
    providers: [{ name: "mistral", apiKey: config.requireSecret("mistralApiKey") }],
    backend: "azure-keyvault",
    keyVault: {
        resourceId: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
    },
});

export const environmentVariables: pulumi.Output<{ [name: string]: string }> = vault.environmentVariables;
export const secretReferences = vault.secretReferences;
export const scopes: pulumi.Output<string[]> = pulumi
    .all([vault.scopes, backed.scopes])
    .apply(([a, b]) => [...a, ...b]);
export const grants: pulumi.Output<string[]> = vault.grants.apply((gs: llmkeyvault.types.output.Grant[]) =>
    gs.map((g) => `${g.scope}:${g.principal}:${g.permission}`),
);

// @ts-expect-error external is a boolean (apiKey is optional: an external key has none)
const missingKey: llmkeyvault.types.input.ProviderKeyArgs = { name: "cohere", external: "yes" };
// @ts-expect-error backend is one of the enum values
const badBackend: llmkeyvault.LlmKeyVaultArgs = { providers: [openai], backend: "aws" };
export const unused = [missingKey, badBackend];
