"""What is known about a found key, as typed values: how sure the detection is, what
`--verify` said of it, and what `--rotate` did to it. Their values are the JSON report's
words (DESIGN.md): each enum member is that very string, so comparing, formatting and
writing JSON give the word itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Word(str, Enum):
    """An enum whose members are their report word: `str()`, f-strings and `json` give the
    value (`live`), not the member's name (what a plain `str, Enum` prints since 3.11)."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return format(str.__str__(self), spec)


class Confidence(Word):
    """`certain` findings block; `possible` ones (honestly ambiguous evidence, see
    detect/scoped.py) are reported but block only when `--verify` finds the key live."""

    CERTAIN = "certain"
    POSSIBLE = "possible"


class Verdict(Word):
    """What the provider's check call said of a key (`--verify`)."""

    LIVE = "live"
    INVALID = "invalid"
    UNKNOWN = "unknown"
    """Not definite: the finding says why (connection refused, timeout, HTTP 503 …)."""


class RotationStatus(Word):
    """What one rotation attempt came to (DESIGN.md "Rotation rules")."""

    ROTATED = "rotated"
    DRY_RUN = "dry_run"
    SKIPPED = "skipped"
    NOT_ROTATABLE = "not_rotatable"
    ALREADY_INVALID = "already_invalid"
    RATE_LIMITED = "rate_limited"
    FAILED = "failed"


DEAD = (RotationStatus.ROTATED, RotationStatus.ALREADY_INVALID)
"""Outcomes after which the leaked key no longer works."""


@dataclass(frozen=True, slots=True)
class RotationRecord:
    """A finding's `rotation` in every report: `{"status", "detail"}`, plus `"new_key":
    "lost"` when the provider rotated the key but its new key never arrived."""

    status: RotationStatus
    detail: str
    new_key_lost: bool = False

    def __getitem__(self, name: str) -> str:
        """The JSON object's field by its name (`record["status"]`)."""
        if name == "status":
            return self.status.value
        if name == "detail":
            return self.detail
        raise KeyError(name)
