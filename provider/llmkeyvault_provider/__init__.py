"""LlmKeyVault: LLM provider API keys in Databricks secret scopes, least privilege by default."""

from .args import Backend, KeyVaultBackingArgs, LlmKeyVaultArgs, ProviderKeyArgs
from .component import LlmKeyVault
from .errors import FieldError, InvalidInput
from .provider import Provider

__all__ = [
    "Backend",
    "FieldError",
    "InvalidInput",
    "KeyVaultBackingArgs",
    "LlmKeyVault",
    "LlmKeyVaultArgs",
    "Provider",
    "ProviderKeyArgs",
]
