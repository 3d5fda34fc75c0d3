// LLM provider API keys (OpenAI, Anthropic, Azure OpenAI, Cohere, Mistral, Bedrock and more) in Databricks secret scopes or Unity Catalog secrets, with least-privilege grants and ready-to-use secret references.
package llmkeyvault
