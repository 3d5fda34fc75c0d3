"""Databricks and Azure naming rules and limits, in one place.

Sources: the Databricks Secrets API reference (scope and key names, value size,
secrets per scope, scopes per workspace), Azure Key Vault's object-name rules and
service limits, Azure's resource-group name rules, and the component contract
(provider ids). Every pattern is ASCII-only (``re.ASCII``, explicit letter
classes): with ``re.IGNORECASE`` or ``\\w`` alone, Python matches look-alikes
such as the Kelvin sign for ``k``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
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
#
# The detector knows key formats, each by its prefix, the alphabet and length of its
# random part, and where the format is documented; docs/key-formats.md lists them
# with the same sources. A format is found anywhere in a value ("team:sk-ant-..."),
# starting after something other than a letter or digit, and a fixed-length one
# ending before one. The random part must mix at least two of lower case, upper
# case and digits (a random string of that length fails this with odds below one
# in a million; a name such as "hf_models_production_scope" is not that shape at
# all). There is no entropy rule: apart from a run of exactly 32 or 40 letters and
# digits (the prefix-less Mistral and Cohere shapes), no value is judged by how
# random it looks.
#
# Where shapes come from: the vendors' pages cited with each format, and the rules
# of gitleaks (github.com/gitleaks/gitleaks, cmd/generate/config/rules/), which
# documents each shape with true and false positives.

#: what may not come right before a key's prefix: a key starts a word
_START: Final = r"(?<![A-Za-z0-9])"
#: what may not come right after a fixed-length key
_END: Final = r"(?![A-Za-z0-9])"


@dataclass(frozen=True)
class KeyFormat:
    """One documented key format: found by ``pattern``, its random part in group ``r``."""

    id: str
    what: str
    pattern: re.Pattern[str]
    source: str
    #: the random part mixes character classes (off where the alphabet has one class of letters and few digits)
    mixed: bool = True
    #: no prefix: looked for only in fields that can never hold such a token (``bare_tokens``)
    bare: bool = False
    #: the random part must be spread like a random string's, not a CamelCase name's (``_looks_random``)
    spread: bool = False


def _format(
    id: str,
    what: str,
    pattern: str,
    source: str,
    *,
    mixed: bool = True,
    bare: bool = False,
    spread: bool = False,
    glued: bool = False,
) -> KeyFormat:
    """``glued``: the prefix is distinctive enough (no name ends in 'sk-proj-') to be found
    right after a letter or digit too ('team' + a key pasted without a separator)."""
    return KeyFormat(id, what, re.compile(("" if glued else _START) + pattern, re.ASCII), source, mixed, bare, spread)


_GITLEAKS: Final = "gitleaks rule"
KEY_FORMATS: Final[tuple[KeyFormat, ...]] = (
    # OpenAI: platform.openai.com/docs/api-reference/authentication; shapes: gitleaks openai-api-key.
    _format(
        "openai-project",
        "an OpenAI project key",
        r"sk-proj-(?P<r>[A-Za-z0-9_-]{40,})",
        "OpenAI API reference, Authentication; " + _GITLEAKS + " openai-api-key",
        glued=True,
    ),
    _format(
        "openai-service-account",
        "an OpenAI service account key",
        r"sk-svcacct-(?P<r>[A-Za-z0-9_-]{40,})",
        "OpenAI API reference, Authentication; " + _GITLEAKS + " openai-api-key",
        glued=True,
    ),
    _format(
        "openai-admin",
        "an OpenAI admin key",
        r"sk-admin-(?P<r>[A-Za-z0-9_-]{40,})",
        "OpenAI API reference, Administration; " + _GITLEAKS + " openai-api-key",
        glued=True,
    ),
    _format(
        "openai-user",
        "an OpenAI user key (legacy)",
        r"sk-(?P<r>[A-Za-z0-9]{48})" + _END,
        "OpenAI API reference, Authentication; " + _GITLEAKS + " openai-api-key",
    ),
    # Anthropic: docs.anthropic.com/en/api/getting-started; 'sk-ant-api03-' + 93 + 'AA'.
    _format(
        "anthropic-api",
        "an Anthropic API key",
        r"sk-ant-api[0-9]{2}-(?P<r>[A-Za-z0-9_-]{80,})",
        "Anthropic API, Getting started; " + _GITLEAKS + " anthropic-api-key",
        glued=True,
    ),
    _format(
        "anthropic-admin",
        "an Anthropic admin key",
        r"sk-ant-admin[0-9]{2}-(?P<r>[A-Za-z0-9_-]{80,})",
        "Anthropic Admin API; " + _GITLEAKS + " anthropic-admin-api-key",
        glued=True,
    ),
    # AWS IAM User Guide, "IAM identifiers", unique ID prefixes: AKIA (access key), ASIA
    # (temporary access key), then 16 of A-Z and 2-7. One class of letters: no mix required,
    # but at least one digit among the 16, so that an upper-case name of 20 letters that starts
    # with ASIA or AKIA ('ASIA' + 'PACIFICSALESTEAM') is not a key. A random id has no digit with
    # odds (26/32)^16, about 3.6%: those are missed (docs/key-formats.md, measured there).
    _format(
        "aws-access-key",
        "an AWS access key id",
        r"AKIA(?=[A-Z2-7]{0,15}[2-7])(?P<r>[A-Z2-7]{16})" + _END,
        "AWS IAM User Guide, IAM identifiers (unique ID prefixes)",
        mixed=False,
    ),
    _format(
        "aws-temporary-access-key",
        "an AWS temporary access key id",
        r"ASIA(?=[A-Z2-7]{0,15}[2-7])(?P<r>[A-Z2-7]{16})" + _END,
        "AWS IAM User Guide, IAM identifiers (unique ID prefixes)",
        mixed=False,
    ),
    # Google Cloud: cloud.google.com/docs/authentication/api-keys; 'AIza' + 35.
    _format(
        "google-api-key",
        "a Google API key (Gemini, Vertex AI, Maps)",
        r"AIza(?P<r>[A-Za-z0-9_-]{35})" + _END,
        "Google Cloud, Manage API keys; " + _GITLEAKS + " gcp-api-key",
    ),
    _format(
        "google-oauth-secret",
        "a Google OAuth client secret",
        r"GOCSPX-(?P<r>[A-Za-z0-9_-]{28})" + _END,
        "Google Cloud, OAuth client secrets; " + _GITLEAKS + " gcp-oauth-client-secret",
        glued=True,
    ),
    # Hugging Face: huggingface.co/docs/hub/security-tokens; 'hf_' + 34 letters.
    _format(
        "huggingface-token",
        "a Hugging Face token",
        r"hf_(?P<r>[A-Za-z]{34})" + _END,
        "Hugging Face Hub, User access tokens; " + _GITLEAKS + " huggingface-access-token",
    ),
    _format(
        "huggingface-org-token",
        "a Hugging Face organization token",
        r"api_org_(?P<r>[A-Za-z]{34})" + _END,
        "Hugging Face Hub; " + _GITLEAKS + " huggingface-organization-api-token",
    ),
    # Groq: console.groq.com/docs/quickstart; 'gsk_' + 52.
    _format(
        "groq", "a Groq key", r"gsk_(?P<r>[A-Za-z0-9]{52})" + _END, "Groq, Quickstart; " + _GITLEAKS + " groq-api-key"
    ),
    # xAI: docs.x.ai/docs/overview; 'xai-' + 80.
    _format("xai", "an xAI key", r"xai-(?P<r>[A-Za-z0-9]{70,})", "xAI API, Overview (API keys)"),
    # Perplexity: docs.perplexity.ai; 'pplx-' + 48.
    _format(
        "perplexity",
        "a Perplexity key",
        r"pplx-(?P<r>[A-Za-z0-9]{48})" + _END,
        "Perplexity API, Getting started; " + _GITLEAKS + " perplexity-api-key",
    ),
    # Replicate: replicate.com/docs/topics/security/api-tokens; 'r8_' + 37.
    _format(
        "replicate",
        "a Replicate token",
        r"r8_(?P<r>[A-Za-z0-9]{37})" + _END,
        "Replicate, API tokens; " + _GITLEAKS + " replicate-api-token",
    ),
    # Databricks: docs.databricks.com/dev-tools/auth/pat; 'dapi' + 32 hex (an optional '-N').
    _format(
        "databricks-pat",
        "a Databricks personal access token",
        r"dapi(?P<r>[0-9a-f]{32})(?:-[0-9]+)?" + _END,
        "Databricks, Personal access tokens; " + _GITLEAKS + " databricks-api-token",
    ),
    _format(
        "databricks-oauth-secret",
        "a Databricks OAuth secret",
        r"dose(?P<r>[0-9a-f]{32})" + _END,
        "Databricks, OAuth machine-to-machine (service principal secrets)",
    ),
    # GitHub: github.blog 2021-04-05 "Behind GitHub's new authentication token formats".
    _format(
        "github-pat",
        "a GitHub personal access token",
        r"ghp_(?P<r>[A-Za-z0-9]{36})" + _END,
        "GitHub blog, Behind GitHub's new authentication token formats",
    ),
    _format(
        "github-oauth",
        "a GitHub OAuth token",
        r"gho_(?P<r>[A-Za-z0-9]{36})" + _END,
        "GitHub blog, Behind GitHub's new authentication token formats",
    ),
    _format(
        "github-user-to-server",
        "a GitHub App user token",
        r"ghu_(?P<r>[A-Za-z0-9]{36})" + _END,
        "GitHub blog, Behind GitHub's new authentication token formats",
    ),
    _format(
        "github-server-to-server",
        "a GitHub App installation token",
        r"ghs_(?P<r>[A-Za-z0-9]{36})" + _END,
        "GitHub blog, Behind GitHub's new authentication token formats",
    ),
    _format(
        "github-refresh",
        "a GitHub refresh token",
        r"ghr_(?P<r>[A-Za-z0-9]{36})" + _END,
        "GitHub blog, Behind GitHub's new authentication token formats",
    ),
    _format(
        "github-fine-grained",
        "a GitHub fine-grained token",
        r"github_pat_(?P<r>[A-Za-z0-9_]{82})" + _END,
        "GitHub Docs, Managing your personal access tokens; " + _GITLEAKS + " github-fine-grained-pat",
        glued=True,
    ),
    # Slack: api.slack.com/authentication/token-types.
    _format(
        "slack-bot",
        "a Slack bot token",
        r"xoxb-[0-9]{10,13}-[0-9]{10,13}-(?P<r>[A-Za-z0-9]{24})" + _END,
        "Slack API, Token types; " + _GITLEAKS + " slack-bot-token",
        glued=True,
    ),
    _format(
        "slack-user",
        "a Slack user token",
        r"xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-(?P<r>[a-f0-9]{32})" + _END,
        "Slack API, Token types; " + _GITLEAKS + " slack-user-token",
        glued=True,
    ),
    _format(
        "slack-app",
        "a Slack app-level token",
        r"xapp-[0-9]-[A-Z0-9]{9,11}-[0-9]{10,13}-(?P<r>[a-f0-9]{64})" + _END,
        "Slack API, Token types; " + _GITLEAKS + " slack-app-token",
        glued=True,
    ),
    # Stripe: docs.stripe.com/keys.
    _format(
        "stripe-secret",
        "a Stripe secret key",
        r"sk_live_(?P<r>[A-Za-z0-9]{24,})",
        "Stripe, API keys; " + _GITLEAKS + " stripe-access-token",
        glued=True,
    ),
    _format(
        "stripe-restricted",
        "a Stripe restricted key",
        r"rk_live_(?P<r>[A-Za-z0-9]{24,})",
        "Stripe, API keys; " + _GITLEAKS + " stripe-access-token",
        glued=True,
    ),
    # GitLab: docs.gitlab.com/security/tokens (token prefixes).
    _format(
        "gitlab-pat",
        "a GitLab personal access token",
        r"glpat-(?P<r>[A-Za-z0-9_-]{20,})",
        "GitLab, Token overview (token prefixes); " + _GITLEAKS + " gitlab-pat",
        glued=True,
    ),
    # DeepSeek: platform.deepseek.com; 'sk-' + 32 lower-case hex.
    _format("deepseek", "a DeepSeek key", r"sk-(?P<r>[0-9a-f]{32})" + _END, "DeepSeek API, Your first API call"),
    # OpenRouter: openrouter.ai/docs/api-reference/authentication; 'sk-or-v1-' + 64 hex.
    _format(
        "openrouter",
        "an OpenRouter key",
        r"sk-or-v1-(?P<r>[0-9a-f]{64})" + _END,
        "OpenRouter, API authentication; " + _GITLEAKS + " openrouter-api-key",
        glued=True,
    ),
    # Fireworks AI: docs.fireworks.ai (API keys); 'fw_' + 24, 27 characters in all.
    _format("fireworks", "a Fireworks AI key", r"fw_(?P<r>[A-Za-z0-9]{24})" + _END, "Fireworks AI, API keys"),
    # Together AI: docs.together.ai (API keys); 'tgp_v1_' then a base64url token.
    _format("together", "a Together AI key", r"tgp_v1_(?P<r>[A-Za-z0-9_-]{40,})", "Together AI, API keys"),
    # NVIDIA NIM / NGC: docs.api.nvidia.com; 'nvapi-' + 64.
    _format(
        "nvidia",
        "an NVIDIA API key",
        r"nvapi-(?P<r>[A-Za-z0-9_-]{64})" + _END,
        "NVIDIA API catalog, API keys",
        glued=True,
    ),
    # npm: docs.npmjs.com/about-access-tokens; 'npm_' + 36.
    _format(
        "npm",
        "an npm access token",
        r"npm_(?P<r>[A-Za-z0-9]{36})" + _END,
        "npm Docs, About access tokens; " + _GITLEAKS + " npm-access-token",
    ),
    # PyPI: pypi.org/help/#apitoken; a macaroon whose first bytes encode 'pypi.org'.
    _format(
        "pypi",
        "a PyPI upload token",
        r"pypi-AgEIcHlwaS5vcmc(?P<r>[A-Za-z0-9_-]{50,})",
        "PyPI help, API tokens; " + _GITLEAKS + " pypi-upload-token",
        glued=True,
    ),
    # SendGrid: docs.sendgrid.com (API keys); 'SG.' + 22 + '.' + 43.
    _format(
        "sendgrid",
        "a SendGrid key",
        r"SG\.(?P<r>[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})" + _END,
        "Twilio SendGrid, API keys; " + _GITLEAKS + " sendgrid-api-token",
    ),
    # LangSmith: docs.smith.langchain.com (API keys); 'lsv2_pt_' or 'lsv2_sk_' + 32 hex + '_' + 10 hex.
    _format(
        "langsmith",
        "a LangSmith key",
        r"lsv2_(?:pt|sk)_(?P<r>[0-9a-f]{32})_[0-9a-f]{10}" + _END,
        "LangSmith, Create an API key",
        glued=True,
    ),
    # Without a prefix: only in fields that can never hold such a token (see ``bare_tokens``).
    # Azure OpenAI and Azure AI services keys: 32 hex characters (learn.microsoft.com,
    # "Azure OpenAI: authenticate with API keys"; the portal's Keys and Endpoint page).
    _format(
        "azure-openai",
        "an Azure OpenAI key (32 hex characters)",
        r"(?P<r>[0-9A-Fa-f]{32})" + _END,
        "Microsoft Learn, Azure OpenAI in Azure AI Foundry, API keys",
        bare=True,
    ),
    # Mistral (console.mistral.ai, API keys) and Cohere (dashboard.cohere.com, API keys):
    # 32 and 40 letters and digits, with no prefix. A long CamelCase name has those too,
    # so these need a random string's share of upper and lower case (``_looks_random``).
    _format(
        "mistral",
        "a Mistral key (32 letters and digits)",
        r"(?P<r>[A-Za-z0-9]{32})" + _END,
        "Mistral AI, API keys (console.mistral.ai)",
        bare=True,
        spread=True,
    ),
    _format(
        "cohere",
        "a Cohere key (40 letters and digits)",
        r"(?P<r>[A-Za-z0-9]{40})" + _END,
        "Cohere, API keys (dashboard.cohere.com)",
        bare=True,
        spread=True,
    ),
)


def _classes(text: str) -> int:
    """How many of lower case, upper case and digits ``text`` holds."""
    return sum(
        (any("a" <= c <= "z" for c in text), any("A" <= c <= "Z" for c in text), any("0" <= c <= "9" for c in text))
    )


def _looks_random(token: str) -> bool:
    """Whether a prefix-less run of letters and digits is spread like a random one, not a CamelCase name.

    A random base-62 string has about as many upper-case as lower-case letters and
    changes character class at most positions; a name has one capital per word.
    Measured over seeded random strings: 96.6% of 32-character and 98.2% of
    40-character ones pass; names such as 'DataScienceTeamReaders2024EuWest' do not.
    """
    n = len(token)
    lower = sum("a" <= c <= "z" for c in token)
    upper = sum("A" <= c <= "Z" for c in token)
    digits = n - lower - upper
    changes = sum(_kind(a) != _kind(b) for a, b in itertools.pairwise(token))
    return upper * 4 >= n and lower * 4 >= n and digits >= 1 and changes * 3 >= n


def _kind(c: str) -> int:
    return 0 if "a" <= c <= "z" else 1 if "A" <= c <= "Z" else 2


def find_key_format(value: str, *, bare_tokens: bool = True) -> KeyFormat | None:
    """The first known key format found anywhere in ``value``, or None."""
    for fmt in KEY_FORMATS:
        if fmt.bare and not bare_tokens:
            continue
        for match in fmt.pattern.finditer(value):
            random_part = match.group("r")
            if fmt.spread and not _looks_random(random_part):
                continue
            if not fmt.mixed or _classes(random_part) >= 2:
                return fmt
    return None


def key_material_problem(value: str, *, bare_tokens: bool = True) -> str | None:
    """Why ``value`` holds key material, or None. Never quotes the value.

    A known key format anywhere in ``value`` (``KEY_FORMATS``) is key material.
    ``bare_tokens`` also looks for the formats without a prefix (32 hex characters
    as Azure OpenAI keys are, 32 or 40 random letters and digits as Mistral and
    Cohere keys are): right for names and principals, which never hold such a
    token (an application id is a UUID, written with dashes), and off for fields
    whose values tools generate (Unity Catalog catalog and schema names).
    """
    found = find_key_format(value, bare_tokens=bare_tokens)
    if found is None:
        return None
    return f"contains what looks like key material ({found.what})"


#: longest value shown in a message; a longer one is cut to its first characters
SHOWN_MAX_LENGTH: Final = 40
#: no input but ``apiKey`` is longer than this (the longest legitimate one, a Key Vault
#: resource id, is about 200); a longer value is refused before any other check reads it.
#: A refusal reaches the engine in gRPC trailers, which grpc-go caps at 16 MiB
#: (``defaultClientMaxHeaderListSize``, internal/transport/defaults.go): a message that
#: quoted a 5 MiB value four times exceeded it ("peer header list size exceeded limit").
MAX_FIELD_LENGTH: Final = 1024
#: no principal list (readers, writers, managers, referencers, a provider's readers) is longer;
#: a longer one is refused as a whole before its items are checked. An ACL per principal and
#: scope is a resource of its own: a thousand is far past a plan one would preview, and a
#: group is the way to grant many users.
MAX_PRINCIPALS_PER_LIST: Final = 1000


def quoted(value: str) -> str:
    """``value`` in quotes for a message: cut to its first characters when long, and
    never when it holds key material."""
    if key_material_problem(value) is not None:
        return "the value given"
    if len(value) > SHOWN_MAX_LENGTH:
        return f"'{value[: SHOWN_MAX_LENGTH - 10]}...' ({len(value)} characters)"
    return "'" + value + "'"


KEY_MATERIAL_ADVICE: Final = (
    "plain fields are stored unencrypted in state and outputs; give key material only as a provider's apiKey"
)


# The rules of one name or value, each saying why the value is refused (or None). The
# planner records the reason at the field's path; none of them quotes key material.


@dataclass(frozen=True)
class PlainValueProblem:
    """Why a plain field's value must not be stored at all; ``withhold_value`` when it holds key material."""

    message: str
    withhold_value: bool


def plain_value_problem(value: str, *, bare_tokens: bool = True) -> PlainValueProblem | None:
    """Key material (``key_material_problem``) or hidden characters in a plain field's value."""
    key_like = key_material_problem(value, bare_tokens=bare_tokens)
    if key_like is not None:
        return PlainValueProblem(f"{key_like}; {KEY_MATERIAL_ADVICE}", withhold_value=True)
    hidden = hidden_character_problem(value)
    return None if hidden is None else PlainValueProblem(hidden, withhold_value=False)


def name_problem(name: str, extra_length: int = 0, *, scope: bool = False) -> str | None:
    """Why ``name`` (with ``extra_length`` more characters) is no scope name (``scope``) or secret key."""
    characters, rule = (SCOPE_NAME_CHARACTERS, SCOPE_NAME_RULE) if scope else (NAME_CHARACTERS, NAME_RULE)
    if not characters.fullmatch(name):
        return f"use {rule}"
    if len(name) + extra_length > MAX_NAME_LENGTH:
        return f"it is {len(name) + extra_length} characters; at most {MAX_NAME_LENGTH}"
    return None


def key_vault_secret_name_problem(key: str, suffix: int) -> str | None:
    """Why ``key`` (with ``suffix`` more characters) cannot name a Key Vault secret, with a name that can."""
    fits = KEY_VAULT_SECRET_NAME_MAX_LENGTH - suffix
    if KEY_VAULT_SECRET_NAME_CHARACTERS.fullmatch(key) and len(key) <= fits:
        return None
    suggestion = key.replace("_", "-").replace(".", "-")[:fits].rstrip("-") or "key"
    with_suffix = f" (with {SUFFIX_DESCRIPTION}, at most {fits} here)" if suffix else ""
    return (
        f"{quoted(key)} cannot name an Azure Key Vault secret: "
        f"use {KEY_VAULT_SECRET_NAME_RULE}{with_suffix}, "
        f"for example '{suggestion}'"  # in full: a name to copy, at most 127 characters
    )


def uc_secret_name_problem(name: str, suffix: int) -> str | None:
    """Why ``name`` (with ``suffix`` more characters) cannot name a UC secret here."""
    if not UC_SECRET_NAME_CHARACTERS.fullmatch(name):
        return f"use {UC_SECRET_NAME_RULE}"
    if len(name) + suffix > UC_NAME_MAX_LENGTH:
        with_suffix = f" with {SUFFIX_DESCRIPTION}" if suffix else ""
        return f"it is {len(name) + suffix} characters{with_suffix}; at most {UC_NAME_MAX_LENGTH}"
    return None


def uc_object_name_problem(name: str) -> str | None:
    """Why ``name`` is no Unity Catalog catalog or schema name."""
    return (
        None
        if UC_OBJECT_NAME.fullmatch(name)
        else f"{quoted(name)} is not a Unity Catalog name: use {UC_OBJECT_NAME_RULE}"
    )


def principal_problem(principal: str, allow_everyone: bool) -> str | None:
    """Why ``principal`` cannot be listed: its shape, or every user unless ``allow_everyone``."""
    if not principal or principal != principal.strip():
        return "must be a principal name without surrounding spaces (a user e-mail, group or application id)"
    if len(principal) > PRINCIPAL_MAX_LENGTH:
        return f"is {len(principal)} characters; principal names are at most {PRINCIPAL_MAX_LENGTH}"
    if is_everyone(principal) and not allow_everyone:
        return (
            f"{quoted(principal)} is every user of the workspace or account; "
            "set allowWorkspaceUsers to true to grant it on purpose"
        )
    return None


def resource_group_problem(group: str) -> str | None:
    """Why ``group``, as ``KEY_VAULT_RESOURCE_ID`` matched it, is no resource group name."""
    if not group.endswith("."):
        return None
    return f"resource group {quoted(group)} is not a resource group name: {RESOURCE_GROUP_RULE}"


def key_vault_name_problem(vault: str) -> str | None:
    """Why ``vault`` is no Key Vault name."""
    return _unless_matches(
        KEY_VAULT_NAME, vault, f"vault name {quoted(vault)} is not a Key Vault name: {KEY_VAULT_NAME_RULE}"
    )


def provider_name_problem(name: str) -> str | None:
    """Why ``name`` is no provider id."""
    return _unless_matches(
        PROVIDER_NAME, name, f"{quoted(name)} is not a provider id; use {PROVIDER_NAME_RULE} (e.g. 'openai')"
    )


def env_var_name_problem(name: str) -> str | None:
    """Why ``name`` is no environment variable name."""
    return _unless_matches(
        ENV_VAR_NAME, name, f"{quoted(name)} is not an environment variable name; use {ENV_VAR_NAME_RULE}"
    )


def _unless_matches(pattern: re.Pattern[str], value: str, problem: str) -> str | None:
    """``problem`` unless the whole of ``value`` matches ``pattern``."""
    return None if pattern.fullmatch(value) else problem


def rotation_warning_days_problem(days: int) -> str | None:
    return None if 0 <= days <= MAX_ROTATION_WARNING_DAYS else f"is {days}; use 0 to {MAX_ROTATION_WARNING_DAYS} days"
