"""The error every refused input raises.

Each problem carries the schema field path (``providers[2].secretKey``) and a
reason that says what would be valid. Reasons are built from names and limits
only, never from key material: nothing in this package formats an ``apiKey``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

#: a refusal lists at most this many problems, then says how many more there are
MAX_PROBLEMS_REPORTED: Final = 20


@dataclass(frozen=True)
class FieldError:
    """One refused field: where it is, and why.

    ``withhold_value`` marks a field whose value must not be shown next to the
    error (it looks like key material, or it is not known yet): the engine
    prints the value found at a property error's path, so the provider then
    names the field in a form the engine does not look up.
    """

    path: str
    reason: str
    withhold_value: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class InvalidInput(ValueError):
    """One or more refused fields, raised before any resource is registered."""

    def __init__(self, errors: Iterable[FieldError], more: int = 0) -> None:
        self.errors = tuple(errors)
        #: how many further problems were found and left out, so that the message stays short
        self.more = more
        tail = f"; and {more} more problem{'s' if more != 1 else ''}" if more else ""
        super().__init__("invalid LlmKeyVault input: " + "; ".join(map(str, self.errors)) + tail)


class Problems:
    """Collects field errors so one run reports every problem, not just the first."""

    def __init__(self) -> None:
        self._errors: list[FieldError] = []
        #: every refused path and each path it lies inside, so that both checks below are lookups
        self._refused: set[str] = set()
        self._within: set[str] = set()

    def add(self, path: str, reason: str, *, withhold_value: bool = False) -> None:
        """Record a problem; a field already refused keeps its first reason (one per field)."""
        if path in self._refused:
            return
        self._refused.add(path)
        self._within.update(_enclosing(path))
        self._errors.append(FieldError(path, reason, withhold_value))

    def has(self, path: str) -> bool:
        """Whether ``path`` or a field inside it was refused already."""
        return path in self._within

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            shown = self._errors[:MAX_PROBLEMS_REPORTED]
            raise InvalidInput(shown, more=len(self._errors) - len(shown))


def _enclosing(path: str) -> list[str]:
    """``a.b[1]`` -> ``a``, ``a.b``, ``a.b[1]``: the path and every path it lies inside."""
    return [path[:i] for i, ch in enumerate(path) if ch in ".[" and i > 0] + [path]
