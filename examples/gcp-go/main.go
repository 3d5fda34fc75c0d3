// LLM API keys for a Databricks workspace on Google Cloud.
//
// One Databricks-backed secret scope per provider (llm-keys-<stack>-openai,
// llm-keys-<stack>-anthropic, llm-keys-<stack>-google: named after the stack,
// so dev, staging and prod share one workspace), because Databricks ACLs apply to a
// whole scope: each team gets READ on the scope of the provider it builds on
// and on nothing else. The ML platform group reads every scope and the
// platform team manages them. The keys come from secret stack configuration.
package main

import (
	"github.com/llmkeyvault/pulumi-llmkeyvault/sdk/go/llmkeyvault"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(program)
}

// program is the whole deployment; main hands it to pulumi.Run.
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	vault, err := llmkeyvault.NewLlmKeyVault(ctx, "llm-keys", &llmkeyvault.LlmKeyVaultArgs{
		ScopeName:        pulumi.String("llm-keys-" + ctx.Stack()),
		ScopePerProvider: pulumi.Bool(true),
		Providers: llmkeyvault.ProviderKeyArray{
			llmkeyvault.ProviderKeyArgs{
				Name:    pulumi.String("openai"),
				ApiKey:  cfg.RequireSecret("openaiApiKey"),
				Readers: pulumi.StringArray{pulumi.String("chat-assistants")},
			},
			llmkeyvault.ProviderKeyArgs{
				Name:    pulumi.String("anthropic"),
				ApiKey:  cfg.RequireSecret("anthropicApiKey"),
				Readers: pulumi.StringArray{pulumi.String("chat-assistants"), pulumi.String("research")},
			},
			llmkeyvault.ProviderKeyArgs{
				// Gemini through Google AI Studio; its key is meant for GOOGLE_API_KEY.
				Name:    pulumi.String("google"),
				ApiKey:  cfg.RequireSecret("geminiApiKey"),
				Readers: pulumi.StringArray{pulumi.String("analytics")},
			},
		},
		Readers:  pulumi.StringArray{pulumi.String("ml-platform")},
		Managers: pulumi.StringArray{pulumi.String(cfg.Require("managerGroup"))},
	})
	if err != nil {
		return err
	}

	ctx.Export("scopeNames", vault.ScopeNames)
	ctx.Export("secretReferences", vault.SecretReferences)
	ctx.Export("environmentVariables", vault.EnvironmentVariables)
	ctx.Export("grants", vault.Grants)
	return nil
}
