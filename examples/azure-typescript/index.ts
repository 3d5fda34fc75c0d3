// LLM API keys for Azure Databricks, kept in an existing Azure Key Vault.
//
// One secret scope `llm-keys-<stack>` backed by the vault: the keys are
// written into the vault as Key Vault secrets (Databricks cannot write into a
// Key Vault-backed scope) and read through the scope as
// `{{secrets/llm-keys-<stack>/...}}`. Naming the scope after the stack lets
// dev, staging and prod stacks share one workspace (each with a vault of its own).
// READ for the groups that build on them, MANAGE for the platform team,
// nothing for anyone else. The keys come from secret stack configuration.
//
// A Key Vault-backed scope shows every secret of its vault: give it a vault of
// its own.

import * as pulumi from "@pulumi/pulumi";
import * as llmkeyvault from "@llmkeyvault/pulumi";

const config = new pulumi.Config();

const vault = new llmkeyvault.LlmKeyVault("llm-keys", {
    scopeName: `llm-keys-${pulumi.getStack()}`,
    backend: llmkeyvault.Backend.AzureKeyVault,
    keyVault: {
        resourceId: config.require("keyVaultResourceId"),
        dnsName: config.get("keyVaultDnsName") || undefined,
    },
    providers: [
        { name: "azure-openai", apiKey: config.requireSecret("azureOpenaiApiKey") },
        { name: "openai", apiKey: config.requireSecret("openaiApiKey") },
        { name: "mistral", apiKey: config.requireSecret("mistralApiKey") },
    ],
    readers: config.requireObject<string[]>("readerGroups"),
    managers: [config.require("managerGroup")],
});

export const backend = vault.backend;
export const scopes = vault.scopes;
export const secretKeys = vault.secretKeys;
export const secretReferences = vault.secretReferences;
export const environmentVariables = vault.environmentVariables;
export const grants = vault.grants;
