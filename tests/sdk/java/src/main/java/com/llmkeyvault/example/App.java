package com.llmkeyvault.example;

import com.llmkeyvault.llmkeyvault.LlmKeyVault;
import com.llmkeyvault.llmkeyvault.LlmKeyVaultArgs;
import com.llmkeyvault.llmkeyvault.enums.Backend;
import com.llmkeyvault.llmkeyvault.inputs.ProviderKeyArgs;
import com.llmkeyvault.llmkeyvault.inputs.UnityCatalogBackingArgs;
import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.core.Output;

/**
 * A Pulumi program in Java: a Databricks-backed vault for the OpenAI and Anthropic keys,
 * one scope per provider so each can have its own readers. The keys come from secret
 * config ({@code pulumi config set --secret openaiApiKey ...}).
 */
public final class App {
    private App() {}

    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    /** The stack: the vault, with the keys from secret config, and its outputs. */
    public static void stack(Context ctx) {
        var config = ctx.config();
        var vault = databricksVault(
                "llm-keys", config.requireSecret("openaiApiKey"), config.requireSecret("anthropicApiKey"));
        ctx.export("scopes", vault.scopes());
        ctx.export("secretReferences", vault.secretReferences());
        ctx.export("environmentVariables", vault.environmentVariables());
    }

    /** Two providers, each in its own scope, with readers for all and for one. */
    public static LlmKeyVault databricksVault(String name, Output<String> openaiKey, Output<String> anthropicKey) {
        return new LlmKeyVault(
                name,
                LlmKeyVaultArgs.builder()
                        .providers(
                                ProviderKeyArgs.builder()
                                        .name("openai")
                                        .apiKey(openaiKey)
                                        .readers("ml-serving")
                                        .build(),
                                ProviderKeyArgs.builder()
                                        .name("anthropic")
                                        .apiKey(anthropicKey)
                                        .secretKey("claude-api-key")
                                        .envVarName("ANTHROPIC_API_KEY")
                                        .build())
                        .backend(Backend.Databricks)
                        .scopePerProvider(true)
                        .uniqueSuffix(true)
                        .readers("data-science")
                        .managers("platform-admins")
                        .build());
    }

    /**
     * The OpenAI key as a Unity Catalog secret in {@code main.llm_keys}: readers read it, the
     * serving identity may only refer to it, and a warning comes 30 days before it expires.
     */
    public static LlmKeyVault unityCatalogVault(String name, Output<String> openaiKey) {
        return new LlmKeyVault(
                name,
                LlmKeyVaultArgs.builder()
                        .providers(ProviderKeyArgs.builder()
                                .name("openai")
                                .apiKey(openaiKey)
                                .expiresAt("2027-03-31T00:00:00Z")
                                .build())
                        .backend(Backend.UnityCatalog)
                        .unityCatalog(UnityCatalogBackingArgs.builder()
                                .catalog("main")
                                .schema("llm_keys")
                                .build())
                        .readers("data-science")
                        .referencers("serving-sp")
                        .rotationWarningDays(30)
                        .build());
    }
}
