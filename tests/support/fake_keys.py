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


#: the alphabets of the random parts, by the names the tables below use
ALPHABETS: dict[str, str] = {
    "urlsafe": URLSAFE,
    "alnum": ALNUM,
    "alnum_": ALNUM + "_",
    "letters": LOWER + UPPER,
    "base32": BASE32,
    "hex": HEX,
}


def _shapes(table: str) -> tuple[Shape, ...]:
    """One ``Shape`` a line: id, prefix ('(none)' for none), alphabet, length and, if any, suffix."""
    shapes = []
    for line in table.strip().splitlines():
        id_, prefix, alphabet, length, *suffix = line.split()
        shapes.append(Shape(id_, "" if prefix == "(none)" else prefix, ALPHABETS[alphabet], int(length), *suffix))
    return tuple(shapes)


#: every prefixed format, by the detector's id; last, Azure OpenAI's keys: 32 hex characters, no prefix
SHAPES: tuple[Shape, ...] = _shapes(
    """
openai-project            sk-proj-              urlsafe  156
openai-service-account    sk-svcacct-           urlsafe  156
openai-admin              sk-admin-             urlsafe  156
openai-user               sk-                   alnum     48
anthropic-api             sk-ant-api03-         urlsafe   93  AA
anthropic-admin           sk-ant-admin01-       urlsafe   93  AA
aws-access-key            AKIA                  base32    16
aws-temporary-access-key  ASIA                  base32    16
google-api-key            AIza                  urlsafe   35
google-oauth-secret       GOCSPX-               urlsafe   28
huggingface-token         hf_                   letters   34
huggingface-org-token     api_org_              letters   34
groq                      gsk_                  alnum     52
xai                       xai-                  alnum     80
perplexity                pplx-                 alnum     48
replicate                 r8_                   alnum     37
databricks-pat            dapi                  hex       32
databricks-oauth-secret   dose                  hex       32
github-pat                ghp_                  alnum     36
github-oauth              gho_                  alnum     36
github-user-to-server     ghu_                  alnum     36
github-server-to-server   ghs_                  alnum     36
github-refresh            ghr_                  alnum     36
github-fine-grained       github_pat_           alnum_    82
stripe-secret             sk_live_              alnum     99
stripe-restricted         rk_live_              alnum     99
gitlab-pat                glpat-                urlsafe   20
deepseek                  sk-                   hex       32
openrouter                sk-or-v1-             hex       64
fireworks                 fw_                   alnum     24
together                  tgp_v1_               urlsafe   43
nvidia                    nvapi-                urlsafe   64
npm                       npm_                  alnum     36
pypi                      pypi-AgEIcHlwaS5vcmc  urlsafe  120
sendgrid                  SG.                   urlsafe   22  <url43>
langsmith                 lsv2_pt_              hex       32  <hex10>
azure-openai              (none)                hex       32
"""
)
#: the formats without a prefix that a random string has only most of the time
SPREAD_SHAPES: tuple[Shape, ...] = _shapes(
    """
mistral                   (none)                alnum     32
cohere                    (none)                alnum     40
"""
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
