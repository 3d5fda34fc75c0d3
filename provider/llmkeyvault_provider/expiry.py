"""Key expiry: parsing ``expiresAt`` and deciding which keys to warn about.

Pure. Unity Catalog's ``expire_time`` takes RFC 3339 and Azure Key Vault's
``attributes.expires`` takes Unix seconds; both are informational (nothing is
deleted when a key expires), so the warnings are what makes them useful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from . import rules


def parse_expiry(value: str) -> datetime | None:
    """The instant an RFC 3339 date-time names, in UTC; None when it is not one."""
    if not rules.RFC3339.fullmatch(value):
        return None
    text = value.upper().replace("Z", "+00:00")
    # Python before 3.11 reads at most 6 digits of a fraction.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except ValueError:  # a month 13 or a day 32 matches the pattern
        return None


def rfc3339(instant: datetime) -> str:
    """``2027-03-31T00:00:00Z``: the form every output uses."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def unix_seconds(instant: datetime) -> int:
    return int(instant.timestamp())


@dataclass(frozen=True)
class ExpiryWarning:
    provider: str
    expires_at: datetime
    expired: bool

    def message(self, now: datetime) -> str:
        when = rfc3339(self.expires_at)
        if self.expired:
            return (
                f"the key of provider '{self.provider}' expired on {when}: rotate it (set a new apiKey and expiresAt)"
            )
        days = max((self.expires_at - now).days, 0)
        return (
            f"the key of provider '{self.provider}' expires on {when}, in {days} day(s): rotate it before then "
            "(set a new apiKey and expiresAt)"
        )


def expiry_warnings(expirations: dict[str, datetime], warning_days: int, now: datetime) -> list[ExpiryWarning]:
    """One warning per key that expires within ``warning_days`` of ``now`` or has expired, in provider order."""
    horizon = now + timedelta(days=warning_days)
    return [ExpiryWarning(provider, at, at <= now) for provider, at in expirations.items() if at <= horizon]
