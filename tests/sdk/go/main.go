// A Pulumi program written against the generated Go SDK. tests/test_sdks.py
// builds and vets it; go.mod points the SDK module at ../../../sdk/go.
package main

import (
	"fmt"

	"github.com/llmkeyvault/pulumi-llmkeyvault/sdk/go/llmkeyvault"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")

		vault, err := llmkeyvault.NewLlmKeyVault(ctx, "llm-keys", &llmkeyvault.LlmKeyVaultArgs{
			Providers: llmkeyvault.ProviderKeyArray{
				llmkeyvault.ProviderKeyArgs{
					Name:   pulumi.String("openai"),
					ApiKey: cfg.RequireSecret("openaiApiKey"),
				},
				llmkeyvault.ProviderKeyArgs{
					Name:       pulumi.String("anthropic"),
					ApiKey:     cfg.RequireSecret("anthropicApiKey"),
					SecretKey:  pulumi.String("claude-api-key"),
					EnvVarName: pulumi.String("ANTHROPIC_API_KEY"),
					Readers:    pulumi.StringArray{pulumi.String("ml-serving")},
				},
			},
			Readers:          pulumi.StringArray{pulumi.String("data-science")},
			Managers:         pulumi.StringArray{pulumi.String("platform-admins")},
			ScopePerProvider: pulumi.Bool(true),
			UniqueSuffix:     pulumi.Bool(true),
			Backend:          llmkeyvault.BackendDatabricks,
		})
		if err != nil {
			return err
		}

		backed, err := llmkeyvault.NewLlmKeyVault(ctx, "team-keys", &llmkeyvault.LlmKeyVaultArgs{
			Providers: llmkeyvault.ProviderKeyArray{
				llmkeyvault.ProviderKeyArgs{Name: pulumi.String("mistral"), ApiKey: cfg.RequireSecret("mistralApiKey")},
			},
			Backend: llmkeyvault.BackendAzureKeyVault,
			KeyVault: llmkeyvault.KeyVaultBackingArgs{
				ResourceId: pulumi.String("/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"),
			},
		})
		if err != nil {
			return err
		}

		ctx.Export("environmentVariables", vault.EnvironmentVariables)
		ctx.Export("secretReferences", vault.SecretReferences)
		ctx.Export("scopes", pulumi.All(vault.Scopes, backed.Scopes).ApplyT(func(all []any) []string {
			return append(all[0].([]string), all[1].([]string)...)
		}).(pulumi.StringArrayOutput))
		ctx.Export("grants", vault.Grants.ApplyT(func(grants []llmkeyvault.Grant) []string {
			out := make([]string, 0, len(grants))
			for _, g := range grants {
				out = append(out, fmt.Sprintf("%s:%s:%s", g.Scope, g.Principal, g.Permission))
			}
			return out
		}).(pulumi.StringArrayOutput))
		return nil
	})
}
