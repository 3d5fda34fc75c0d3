// LLM provider API keys (OpenAI, Anthropic, Azure OpenAI, Cohere, Mistral, Bedrock and more) in Databricks secret scopes, with least-privilege ACLs and ready-to-use secret references.
package llmkeyvault
