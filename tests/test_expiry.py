"""``expiresAt``: parsed to UTC, refused with a reason (never a traceback), written as RFC 3339."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from llmkeyvault_provider.expiry import expiry_problem, parse_expiry, rfc3339


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9999-12-31T23:59:59-01:00", "outside the years 0001 to 9999 in UTC"),
        ("0001-01-01T00:00:00+01:00", "outside the years 0001 to 9999 in UTC"),
        ("2027-13-01T00:00:00Z", "no such month, day or time"),
        ("2027-02-30T00:00:00Z", "no such month, day or time"),
        ("2027-03-31", "is not an RFC 3339 date-time"),
        ("x" * 5000, "(5000 characters)"),
    ],
)
def test_a_bad_expiry_gets_a_reason_and_no_instant(value: str, reason: str) -> None:
    assert parse_expiry(value) is None
    problem = expiry_problem(value)
    assert problem is not None and reason in problem
    assert len(problem) < 200


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("0999-06-01T00:00:00Z", "0999-06-01T00:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
        ("9999-12-31T23:59:59+01:00", "9999-12-31T22:59:59Z"),
        ("2027-03-31T02:00:00.5+02:00", "2027-03-31T00:00:00Z"),
    ],
)
def test_an_expiry_is_written_in_utc_with_a_four_digit_year(value: str, written: str) -> None:
    instant = parse_expiry(value)
    assert instant is not None and expiry_problem(value) is None
    assert rfc3339(instant) == written


def test_rfc3339_pads_a_two_digit_year() -> None:
    assert rfc3339(datetime(27, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) == "0027-01-02T03:04:05Z"
