"""Databricks and Azure naming rules and limits, in one place.

Sources: the Databricks Secrets API reference (scope and key names, value size,
secrets per scope, scopes per workspace), Azure Key Vault's object-name rules and
service limits, Azure's resource-group name rules, and the component contract
(provider ids). Every pattern is ASCII-only (``re.ASCII``, explicit letter
classes): with ``re.IGNORECASE`` or ``\\w`` alone, Python matches look-alikes
such as the Kelvin sign for ``k``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Final

PROVIDER_NAME: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,39}", re.ASCII)
PROVIDER_NAME_RULE: Final = "1 to 40 of a-z, 0-9 and '-', starting with a letter or digit"

# Secret keys: Databricks documents letters, digits, '-', '_' and '.'. Scope names also
# admit '@' (documented, and accepted by the provider's own check `^[\w\.@_/-]{1,128}$`
# in terraform-provider-databricks secrets/resource_secret_scope.go), so that scopes
# named after a user can be adopted. Characters and length are checked apart so
# that each refusal says which one failed.
NAME_CHARACTERS: Final = re.compile(r"[A-Za-z0-9._-]+", re.ASCII)
NAME_RULE: Final = "1 to 128 of letters, digits, '.', '_' and '-'"
SCOPE_NAME_CHARACTERS: Final = re.compile(r"[A-Za-z0-9._@-]+", re.ASCII)
SCOPE_NAME_RULE: Final = "1 to 128 of letters, digits, '.', '_', '-' and '@'"
MAX_NAME_LENGTH: Final = 128

# Unity Catalog object names (Databricks "Unity Catalog requirements and limitations",
# securable object naming): at most 255 characters, no '.', ' ', '/', control
# characters or DEL; stored lower-case, so two names equal ignoring case collide.
# Secret names here are narrower: letters, digits, '_' and '-' (no quoting needed).
UC_NAME_MAX_LENGTH: Final = 255
UC_OBJECT_NAME: Final = re.compile(r"[^./ \x00-\x1f\x7f]{1,255}")
UC_OBJECT_NAME_RULE: Final = "1 to 255 characters without '.', ' ', '/' or control characters"
UC_SECRET_NAME_CHARACTERS: Final = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
UC_SECRET_NAME_RULE: Final = "1 to 255 of letters, digits, '_' and '-'"
#: ``_`` and 8 hex characters: the unique suffix of a UC secret name
UC_SUFFIX_SEPARATOR: Final = "_"

# RFC 3339 date-time with an offset, as Unity Catalog's expire_time takes it.
RFC3339: Final = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
RFC3339_EXAMPLE: Final = "2027-03-31T00:00:00Z"
MAX_ROTATION_WARNING_DAYS: Final = 3650

KEY_VAULT_SECRET_NAME_CHARACTERS: Final = re.compile(r"[A-Za-z0-9-]+", re.ASCII)
KEY_VAULT_SECRET_NAME_MAX_LENGTH: Final = 127
KEY_VAULT_SECRET_NAME_RULE: Final = "1 to 127 of letters, digits and '-' (no '_' or '.')"

# 3-24 characters, letters, digits and '-', starting with a letter, no '--'.
#: an application id or subscription id
UUID_PATTERN: Final = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"

KEY_VAULT_NAME: Final = re.compile(r"(?!.*--)[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]", re.ASCII)
# ARM ids compare case-insensitively, so the fixed segments are matched in any
# letter case, spelled out with ASCII classes.
KEY_VAULT_RESOURCE_ID: Final = re.compile(
    r"/[Ss][Uu][Bb][Ss][Cc][Rr][Ii][Pp][Tt][Ii][Oo][Nn][Ss]"
    rf"/(?P<subscription>{UUID_PATTERN})"
    r"/[Rr][Ee][Ss][Oo][Uu][Rr][Cc][Ee][Gg][Rr][Oo][Uu][Pp][Ss]/(?P<group>[-A-Za-z0-9_.()]{1,90})"
    r"/[Pp][Rr][Oo][Vv][Ii][Dd][Ee][Rr][Ss]/[Mm][Ii][Cc][Rr][Oo][Ss][Oo][Ff][Tt]\.[Kk][Ee][Yy][Vv][Aa][Uu][Ll][Tt]"
    r"/[Vv][Aa][Uu][Ll][Tt][Ss]/(?P<vault>[^/]+)",
    re.ASCII,
)
KEY_VAULT_RESOURCE_ID_FORM: Final = (
    "/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<vault name>"
)
KEY_VAULT_NAME_RULE: Final = (
    "3 to 24 of letters, digits and '-', starting with a letter, ending with a letter or digit, no '--'"
)
# A resource group name may not end with '.' (Azure's naming rules for Microsoft.Resources).
RESOURCE_GROUP_RULE: Final = "1 to 90 of letters, digits, '-', '_', '.', '(' and ')', not ending with '.'"

#: the vault DNS suffix of each Azure cloud: public, China, US Government
KEY_VAULT_DNS_SUFFIXES: Final = ("vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net")
KEY_VAULT_DNS_NAME: Final = re.compile(
    r"https://(?P<vault>[A-Za-z0-9-]+)\.(?P<suffix>" + "|".join(map(re.escape, KEY_VAULT_DNS_SUFFIXES)) + r")/?",
    re.ASCII,
)

ENV_VAR_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}", re.ASCII)
ENV_VAR_NAME_RULE: Final = "1 to 128 of letters, digits and '_', not starting with a digit"

PRINCIPAL_MAX_LENGTH: Final = 255

#: the built-in group of every workspace user
WORKSPACE_USERS: Final = "users"
#: the groups that hold every user: of the workspace, and of the account (identity federation)
EVERYONE_GROUPS: Final = frozenset({"users", "account users"})

#: ``-`` and 8 hex characters from a 4-byte ``random.RandomId``
SUFFIX_BYTES: Final = 4
SUFFIX_LENGTH: Final = 1 + 2 * SUFFIX_BYTES
SUFFIX_DESCRIPTION: Final = f"the {SUFFIX_LENGTH}-character unique suffix"

# Service limits (Databricks Secrets API reference; Azure Key Vault service limits).
#: largest secret value, in bytes, per backend value
MAX_VALUE_BYTES: Final = {"databricks": 128 * 1024, "azure-keyvault": 25 * 1024, "unity-catalog": 60 * 1024}
MAX_SECRETS_PER_SCOPE: Final = 1000
MAX_SCOPES_PER_WORKSPACE: Final = 1000
#: Databricks "Best practices for Unity Catalog secrets": a schema holds up to 1,000 secrets
MAX_SECRETS_PER_UC_SCHEMA: Final = 1000


def api_key_problem(value: object, backend: str) -> str | None:
    """Why ``value`` cannot be stored as a key on ``backend`` (a backend value), or None.

    Only the type, blankness and size of the key are looked at, never its text.
    """
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if not value.strip():
        return "must not be empty or blank"
    size, limit = len(value.encode("utf-8")), MAX_VALUE_BYTES[backend]
    if size > limit:
        return f"is {size} bytes; the {backend} backend stores at most {limit}"
    return None


def principal_identity(principal: str) -> str:
    """The form in which two spellings of one principal are equal: Databricks lower-cases
    user names, and groups and application ids (UUIDs) compare the same way."""
    return principal.casefold()


def is_everyone(principal: str) -> bool:
    """``users`` or ``account users``, in any letter case."""
    return principal_identity(principal) in EVERYONE_GROUPS


# Characters that are not what they look like. Control (Cc), format (Cf: zero-width
# joiners, direction marks), unassigned (Cn), private-use (Co) and surrogates (Cs);
# separators other than the ASCII space.
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"})


def hidden_character_problem(value: str) -> str | None:
    """Why ``value`` hides something from a reader, or None.

    Refused: control and invisible characters; characters that NFKC
    normalisation changes (full-width letters, ligatures, the Kelvin sign);
    letters of another script mixed with Latin ones (a Cyrillic a in 'users').
    The reason names the character by its Unicode name, never the value.
    """
    for ch in value:
        category = unicodedata.category(ch)
        if category in _HIDDEN_CATEGORIES or (category == "Zs" and ch != " "):
            return f"contains an invisible or control character (U+{ord(ch):04X})"
    for ch in value:
        if unicodedata.normalize("NFKC", ch) != ch:
            name = unicodedata.name(ch, "unnamed")
            return f"contains a look-alike character (U+{ord(ch):04X} {name}); type it in plain letters"
    scripts = {_script(ch) for ch in value if ch.isalpha()}
    if "LATIN" in scripts and len(scripts) > 1:
        other = next(ch for ch in value if ch.isalpha() and _script(ch) != "LATIN")
        return (
            f"mixes Latin letters with look-alike letters of another script (U+{ord(other):04X} "
            f"{unicodedata.name(other, 'unnamed')})"
        )
    return None


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


# Key material pasted into a plain field would land in plain state and outputs.
# Known key prefixes, each followed by enough token characters to be a key rather
# than a name that happens to start the same way.
_TOKEN_TAIL = r"[A-Za-z0-9_\-]{16,}"
KEY_PREFIXES: Final = (
    ("sk-ant-", "an Anthropic key"),
    ("sk-proj-", "an OpenAI project key"),
    ("sk-", "an OpenAI-style secret key"),
    ("AKIA", "an AWS access key id"),
    ("ASIA", "an AWS temporary access key id"),
    ("ghp_", "a GitHub token"),
    ("gho_", "a GitHub token"),
    ("ghs_", "a GitHub token"),
    ("github_pat_", "a GitHub token"),
    ("hf_", "a Hugging Face token"),
    ("gsk_", "a Groq key"),
    ("xai-", "an xAI key"),
    ("pplx-", "a Perplexity key"),
    ("r8_", "a Replicate token"),
    ("AIza", "a Google API key"),
    ("dapi", "a Databricks personal access token"),
    ("xoxb-", "a Slack token"),
    ("glpat-", "a GitLab token"),
)
_KEY_PREFIX_PATTERNS: Final = tuple(
    (re.compile(re.escape(prefix) + _TOKEN_TAIL, re.ASCII), what) for prefix, what in KEY_PREFIXES
)
_UUID: Final = re.compile(UUID_PATTERN, re.ASCII)
_TOKEN: Final = re.compile(r"[A-Za-z0-9_\-+/=.]+", re.ASCII)
#: shortest run that is judged by its randomness
TOKEN_MIN_LENGTH: Final = 32
#: Shannon entropy in bits per character above which a long token counts as random
TOKEN_MIN_ENTROPY: Final = 3.5


def key_material_problem(value: str) -> str | None:
    """Why ``value`` looks like key material, or None. Never quotes the value.

    Application ids (UUIDs), e-mail addresses and names with spaces are not
    tokens. A long token counts as random when it mixes letter cases or letters
    and digits, and its characters are spread like a random string's.
    """
    stripped = value.strip()
    for pattern, what in _KEY_PREFIX_PATTERNS:
        if pattern.match(stripped):
            return f"looks like key material ({what})"
    if _UUID.fullmatch(stripped) or not _TOKEN.fullmatch(stripped) or len(stripped) < TOKEN_MIN_LENGTH:
        return None
    classes = sum(
        (any(c.islower() for c in stripped), any(c.isupper() for c in stripped), any(c.isdigit() for c in stripped))
    )
    if classes >= 2 and _entropy(stripped) >= TOKEN_MIN_ENTROPY:
        return "looks like key material (a long random token)"
    return None


def _entropy(value: str) -> float:
    return -sum(n / len(value) * math.log2(n / len(value)) for n in Counter(value).values())


def quoted(value: str) -> str:
    """``value`` in quotes for a message, unless it looks like key material."""
    if key_material_problem(value) is not None:
        return "the value given"
    return "'" + value + "'"


KEY_MATERIAL_ADVICE: Final = (
    "plain fields are stored unencrypted in state and outputs; give key material only as a provider's apiKey"
)
