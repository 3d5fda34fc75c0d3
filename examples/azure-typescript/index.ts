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

const readers = config.requireObject<unknown>("readerGroups");
// A list set with `pulumi config set --path 'readerGroups[N]'` replaces the
// default and has a gap (null) wherever an index was skipped.
if (!Array.isArray(readers) || !readers.every((r) => typeof r === "string" && r !== "")) {
    throw new Error(
        "readerGroups must be a list of group names; set every entry from index 0: " +
            "pulumi config set --path 'readerGroups[0]' data-science",
    );
}

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
    readers: readers as string[],
    managers: [config.require("managerGroup")],
});

export const backend = vault.backend;
export const scopes = vault.scopes;
export const secretKeys = vault.secretKeys;
export const secretReferences = vault.secretReferences;
export const environmentVariables = vault.environmentVariables;
export const grants = vault.grants;
