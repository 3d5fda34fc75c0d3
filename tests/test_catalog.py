from pathlib import Path

import pytest
import yaml
from llmkeyvault_provider.catalog import WELL_KNOWN_ENV_VARS, default_env_var_name, default_secret_key, external_model

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("provider", "env_var"),
    [
        ("openai", "OPENAI_API_KEY"),
        ("azure-openai", "AZURE_OPENAI_API_KEY"),
        ("anthropic", "ANTHROPIC_API_KEY"),
        ("cohere", "COHERE_API_KEY"),
        ("mistral", "MISTRAL_API_KEY"),
        ("google", "GOOGLE_API_KEY"),
        ("ai21labs", "AI21_API_KEY"),
        ("huggingface", "HF_TOKEN"),
        ("groq", "GROQ_API_KEY"),
        ("together", "TOGETHER_API_KEY"),
        ("amazon-bedrock", "AWS_SECRET_ACCESS_KEY"),
        # any other id: <ID>_API_KEY, a leading digit behind "_"
        ("my-llm", "MY_LLM_API_KEY"),
        ("x", "X_API_KEY"),
        ("deep-seek-2", "DEEP_SEEK_2_API_KEY"),
        ("01ai", "_01AI_API_KEY"),
    ],
)
def test_env_var_defaults_are_the_contracts(provider: str, env_var: str) -> None:
    assert default_env_var_name(provider) == env_var


def test_schema_and_readme_list_exactly_the_catalog() -> None:
    """The catalog is written once, in catalog.py; the schema's description and the README repeat it."""
    root = Path(__file__).resolve().parents[1]
    schema = yaml.safe_load((root / "schema.yaml").read_text(encoding="utf-8"))
    described = schema["types"]["llmkeyvault:index:ProviderKey"]["properties"]["name"]["description"]
    listed = described.rsplit(":", 1)[1]
    assert [p.strip(" .") for p in listed.split(",")] == list(WELL_KNOWN_ENV_VARS)
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    for provider, env_var in WELL_KNOWN_ENV_VARS.items():
        assert f"`{provider}` {env_var}" in readme, provider


def test_external_models_only_for_providers_that_need_nothing_but_a_key() -> None:
    assert {p for p in WELL_KNOWN_ENV_VARS if external_model(p, "{{secrets/s/k}}")} == {
        "openai",
        "anthropic",
        "cohere",
        "ai21labs",
    }


def test_default_secret_key() -> None:
    assert default_secret_key("openai") == "openai-api-key"
