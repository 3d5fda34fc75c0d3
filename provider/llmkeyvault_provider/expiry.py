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
    """The instant an RFC 3339 date-time names, in UTC; None when it is not one (``expiry_problem`` says why)."""
    return _parse(value)[0]


def expiry_problem(value: str) -> str | None:
    """Why ``value`` is no usable ``expiresAt``, or None. Shows at most a short prefix of it."""
    return _parse(value)[1]


def _parse(value: str) -> tuple[datetime | None, str | None]:
    if not rules.RFC3339.fullmatch(value):
        return None, f"{rules.quoted(value)} is not an RFC 3339 date-time; use the form {rules.RFC3339_EXAMPLE}"
    text = value.upper().replace("Z", "+00:00")
    # Python before 3.11 reads at most 6 digits of a fraction.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        local = datetime.fromisoformat(text)
    except ValueError:  # a month 13 or a day 32 matches the pattern
        return (
            None,
            f"{rules.quoted(value)} is not an RFC 3339 date-time (no such month, day or time); use the form "
            + (rules.RFC3339_EXAMPLE),
        )
    try:
        return local.astimezone(timezone.utc), None
    except OverflowError:  # 9999-12-31T23:59:59-01:00 is in the year 10000 in UTC
        return (
            None,
            f"{rules.quoted(value)} is an RFC 3339 date-time outside the years 0001 to 9999 in UTC; use the form "
            + (rules.RFC3339_EXAMPLE),
        )


def rfc3339(instant: datetime) -> str:
    """``2027-03-31T00:00:00Z``: the form every output uses, with a 4-digit year (``0999-06-01T00:00:00Z``)."""
    t = instant.astimezone(timezone.utc)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"


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
