"""The error every refused input raises.

Each problem carries the schema field path (``providers[2].secretKey``) and a
reason that says what would be valid. Reasons are built from names and limits
only, never from key material: nothing in this package formats an ``apiKey``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One refused field: where it is, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class InvalidInput(ValueError):
    """One or more refused fields, raised before any resource is registered."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("invalid LlmKeyVault input: " + "; ".join(map(str, self.errors)))


class Problems:
    """Collects field errors so one run reports every problem, not just the first."""

    def __init__(self) -> None:
        self._errors: list[FieldError] = []

    def add(self, path: str, reason: str) -> None:
        self._errors.append(FieldError(path, reason))

    def has(self, path: str) -> bool:
        """Whether ``path`` or a field inside it was refused already."""
        return any(e.path == path or e.path.startswith((path + ".", path + "[")) for e in self._errors)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            raise InvalidInput(self._errors)
