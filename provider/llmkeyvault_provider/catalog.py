"""Well-known LLM providers and the environment variable each one's SDK reads.

One row per provider id. Adding a provider is adding a row; nothing else in the
package names a provider.
"""

from __future__ import annotations

from typing import Final

#: provider id -> default ``envVarName`` for its key
WELL_KNOWN_ENV_VARS: Final[dict[str, str]] = {
    "openai": "OPENAI_API_KEY",
    "azure-openai": "AZURE_OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "cohere": "COHERE_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "google": "GOOGLE_API_KEY",
    "ai21labs": "AI21_API_KEY",
    "huggingface": "HF_TOKEN",
    "groq": "GROQ_API_KEY",
    "together": "TOGETHER_API_KEY",
    "amazon-bedrock": "AWS_SECRET_ACCESS_KEY",
}


def default_env_var_name(provider_name: str) -> str:
    """The catalog's variable for a well-known id, else ``NAME_API_KEY``.

    A variable name cannot start with a digit, so an id that does (``01ai``)
    gets a leading ``_`` (``_01AI_API_KEY``).
    """
    known = WELL_KNOWN_ENV_VARS.get(provider_name)
    if known is not None:
        return known
    derived = provider_name.upper().replace("-", "_") + "_API_KEY"
    return "_" + derived if derived[:1].isdigit() else derived


def default_secret_key(provider_name: str) -> str:
    """Key name inside the scope when ``secretKey`` is not given."""
    return f"{provider_name}-api-key"
