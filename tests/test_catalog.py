import pytest
from llmkeyvault_provider.catalog import WELL_KNOWN_ENV_VARS, default_env_var_name, default_secret_key

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
    ],
)
def test_well_known_ids_have_the_contract_defaults(provider: str, env_var: str) -> None:
    assert default_env_var_name(provider) == env_var


def test_catalog_is_exactly_the_contract_list() -> None:
    assert len(WELL_KNOWN_ENV_VARS) == 11


@pytest.mark.parametrize(
    ("provider", "env_var"), [("my-llm", "MY_LLM_API_KEY"), ("x", "X_API_KEY"), ("deep-seek-2", "DEEP_SEEK_2_API_KEY")]
)
def test_other_ids_default_to_name_api_key(provider: str, env_var: str) -> None:
    assert default_env_var_name(provider) == env_var


def test_default_secret_key() -> None:
    assert default_secret_key("openai") == "openai-api-key"
