"""Fake keys in the shapes of real ones, made at test time from a seeded RNG.

No key-shaped literal is committed: each shape is written here as its prefix,
the alphabet and length of its random part and what follows, from the vendors'
documentation (docs/key-formats.md lists the sources), apart from the detector's
own patterns so that a test checks one against the other. The random parts are
drawn from ``random.Random(seed)``: never a real key, the same on every run.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = LOWER + UPPER + DIGITS
URLSAFE = ALNUM + "-_"
HEX = DIGITS + "abcdef"
BASE32 = UPPER + "234567"


@dataclass(frozen=True)
class Shape:
    """``prefix`` + random ``alphabet`` x ``length`` (+ ``middle`` + more) + ``suffix``."""

    id: str
    prefix: str
    alphabet: str
    length: int
    suffix: str = ""

    def make(self, rng: random.Random) -> str:
        body = "".join(rng.choice(self.alphabet) for _ in range(self.length))
        suffix = self.suffix
        if suffix.startswith("<hex"):  # "<hex10>": that many more hex characters after '_'
            suffix = "_" + "".join(rng.choice(HEX) for _ in range(int(suffix[4:-1])))
        elif suffix.startswith("<url"):  # SendGrid: '.' and 43 more
            suffix = "." + "".join(rng.choice(URLSAFE) for _ in range(int(suffix[4:-1])))
        return self.prefix + body + suffix


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(DIGITS) for _ in range(n))


#: every prefixed format, by the detector's id
SHAPES: tuple[Shape, ...] = (
    Shape("openai-project", "sk-proj-", URLSAFE, 156),
    Shape("openai-service-account", "sk-svcacct-", URLSAFE, 156),
    Shape("openai-admin", "sk-admin-", URLSAFE, 156),
    Shape("openai-user", "sk-", ALNUM, 48),
    Shape("anthropic-api", "sk-ant-api03-", URLSAFE, 93, "AA"),
    Shape("anthropic-admin", "sk-ant-admin01-", URLSAFE, 93, "AA"),
    Shape("aws-access-key", "AKIA", BASE32, 16),
    Shape("aws-temporary-access-key", "ASIA", BASE32, 16),
    Shape("google-api-key", "AIza", URLSAFE, 35),
    Shape("google-oauth-secret", "GOCSPX-", URLSAFE, 28),
    Shape("huggingface-token", "hf_", LOWER + UPPER, 34),
    Shape("huggingface-org-token", "api_org_", LOWER + UPPER, 34),
    Shape("groq", "gsk_", ALNUM, 52),
    Shape("xai", "xai-", ALNUM, 80),
    Shape("perplexity", "pplx-", ALNUM, 48),
    Shape("replicate", "r8_", ALNUM, 37),
    Shape("databricks-pat", "dapi", HEX, 32),
    Shape("databricks-oauth-secret", "dose", HEX, 32),
    Shape("github-pat", "ghp_", ALNUM, 36),
    Shape("github-oauth", "gho_", ALNUM, 36),
    Shape("github-user-to-server", "ghu_", ALNUM, 36),
    Shape("github-server-to-server", "ghs_", ALNUM, 36),
    Shape("github-refresh", "ghr_", ALNUM, 36),
    Shape("github-fine-grained", "github_pat_", ALNUM + "_", 82),
    Shape("stripe-secret", "sk_live_", ALNUM, 99),
    Shape("stripe-restricted", "rk_live_", ALNUM, 99),
    Shape("gitlab-pat", "glpat-", URLSAFE, 20),
    Shape("deepseek", "sk-", HEX, 32),
    Shape("openrouter", "sk-or-v1-", HEX, 64),
    Shape("fireworks", "fw_", ALNUM, 24),
    Shape("together", "tgp_v1_", URLSAFE, 43),
    Shape("nvidia", "nvapi-", URLSAFE, 64),
    Shape("npm", "npm_", ALNUM, 36),
    Shape("pypi", "pypi-AgEIcHlwaS5vcmc", URLSAFE, 120),
    Shape("sendgrid", "SG.", URLSAFE, 22, "<url43>"),
    Shape("langsmith", "lsv2_pt_", HEX, 32, "<hex10>"),
    # Azure OpenAI keys have no prefix: 32 hex characters.
    Shape("azure-openai", "", HEX, 32),
)
#: the formats without a prefix that a random string has only most of the time
SPREAD_SHAPES: tuple[Shape, ...] = (
    Shape("mistral", "", ALNUM, 32),
    Shape("cohere", "", ALNUM, 40),
)


def slack_keys(rng: random.Random) -> dict[str, str]:
    """Slack tokens carry numeric ids between their prefix and random part."""
    return {
        "slack-bot": f"xoxb-{_digits(rng, 12)}-{_digits(rng, 13)}-" + "".join(rng.choice(ALNUM) for _ in range(24)),
        "slack-user": f"xoxp-{_digits(rng, 12)}-{_digits(rng, 12)}-{_digits(rng, 13)}-"
        + "".join(rng.choice(HEX) for _ in range(32)),
        "slack-app": f"xapp-1-A{''.join(rng.choice(UPPER + DIGITS) for _ in range(10))}-{_digits(rng, 13)}-"
        + "".join(rng.choice(HEX) for _ in range(64)),
    }


def fake_keys(seed: int = 20261203) -> dict[str, str]:
    """One fake key of every prefixed format (and Azure's 32 hex), by format id."""
    rng = random.Random(seed)
    keys = {shape.id: shape.make(rng) for shape in SHAPES}
    keys.update(slack_keys(rng))
    return keys


def fake_key(format_id: str, seed: int = 20261203) -> str:
    return fake_keys(seed)[format_id]
