"""Well-known LLM providers: the environment variable each one's SDK reads, and
how a Model Serving external model takes its key.

One row per provider id. Adding a provider is adding a row; nothing else in the
package names a provider. The README and schema.yaml list these ids; the tests
check those copies against this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class ServingProvider:
    """A Model Serving external-model provider that needs only the key.

    Property names are those of pulumi-databricks 1.118.0's
    ``ModelServingConfigServedEntityExternalModel*`` types.
    """

    provider: str  # the external model's ``provider``
    config: str  # its config block
    key_field: str  # the config field that takes a secret reference


@dataclass(frozen=True)
class KnownProvider:
    env_var: str
    serving: ServingProvider | None = None


#: provider id -> what is known about it. Providers whose external model needs more
#: than a key (azure-openai: base URL and deployment; amazon-bedrock: region and
#: access key id; google: project and region) have no serving row.
WELL_KNOWN: Final[dict[str, KnownProvider]] = {
    "openai": KnownProvider("OPENAI_API_KEY", ServingProvider("openai", "openaiConfig", "openaiApiKey")),
    "azure-openai": KnownProvider("AZURE_OPENAI_API_KEY"),
    "anthropic": KnownProvider("ANTHROPIC_API_KEY", ServingProvider("anthropic", "anthropicConfig", "anthropicApiKey")),
    "cohere": KnownProvider("COHERE_API_KEY", ServingProvider("cohere", "cohereConfig", "cohereApiKey")),
    "mistral": KnownProvider("MISTRAL_API_KEY"),
    "google": KnownProvider("GOOGLE_API_KEY"),
    "ai21labs": KnownProvider("AI21_API_KEY", ServingProvider("ai21labs", "ai21labsConfig", "ai21labsApiKey")),
    "huggingface": KnownProvider("HF_TOKEN"),
    "groq": KnownProvider("GROQ_API_KEY"),
    "together": KnownProvider("TOGETHER_API_KEY"),
    "amazon-bedrock": KnownProvider("AWS_SECRET_ACCESS_KEY"),
}

#: provider id -> default ``envVarName`` for its key
WELL_KNOWN_ENV_VARS: Final[dict[str, str]] = {name: known.env_var for name, known in WELL_KNOWN.items()}


def default_env_var_name(provider_name: str) -> str:
    """The catalog's variable for a well-known id, else ``NAME_API_KEY``.

    A variable name cannot start with a digit, so an id that does (``01ai``)
    gets a leading ``_`` (``_01AI_API_KEY``).
    """
    known = WELL_KNOWN.get(provider_name)
    if known is not None:
        return known.env_var
    derived = provider_name.upper().replace("-", "_") + "_API_KEY"
    return "_" + derived if derived[:1].isdigit() else derived


def default_secret_key(provider_name: str) -> str:
    """Key name inside the scope when ``secretKey`` is not given."""
    return f"{provider_name}-api-key"


def external_model(provider_name: str, reference: str) -> dict[str, object] | None:
    """The provider block of a Model Serving external model using ``reference`` as its key, if one is known."""
    known = WELL_KNOWN.get(provider_name)
    if known is None or known.serving is None:
        return None
    serving = known.serving
    return {"provider": serving.provider, serving.config: {serving.key_field: reference}}
