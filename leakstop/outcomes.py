"""What is known about a found key, as typed values: how sure the detection is, what
`--verify` said of it, and what `--rotate` did to it. Their values are the JSON report's
words (DESIGN.md): each enum member is that very string, so comparing, formatting and
writing JSON give the word itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from leakstop.wording import count


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


@dataclass(frozen=True, slots=True)
class RotationTally:
    rotated: int = 0
    already_invalid: int = 0
    failed: int = 0
    """Failed or lost (the regenerate call's answer never came)."""
    rate_limited: int = 0
    skipped: int = 0
    """Skipped: not confirmed, or the check could not tell whether the key is live."""
    earlier: int = 0
    """Skipped because an earlier run rotated the key (or found it dead): handled."""
    not_rotatable: int = 0
    dry_run: int = 0

    @property
    def keys(self) -> int:
        return sum(asdict(self).values())

    @property
    def any_failed(self) -> bool:
        """Some key could not be rotated and still works (or its new key was lost)."""
        return self.failed + self.rate_limited > 0

    @property
    def all_handled(self) -> bool:
        """Every key is dead now: rotated, already invalid, or handled by an earlier run."""
        return self.keys > 0 and self.rotated + self.already_invalid + self.earlier == self.keys

    def line(self) -> str:
        """ "2 rotated, 1 already invalid, 1 failed, 0 skipped (1 rate limited)"."""
        skipped = self.skipped + self.earlier + self.not_rotatable + self.dry_run
        notes = [
            f"{self.rate_limited} rate limited" if self.rate_limited else "",
            f"{self.earlier} handled by an earlier run" if self.earlier else "",
            f"{self.not_rotatable} not rotatable through the API" if self.not_rotatable else "",
            f"{self.dry_run} dry run, nothing changed" if self.dry_run else "",
        ]
        notes = [note for note in notes if note]
        return (
            f"{self.rotated} rotated, {self.already_invalid} already invalid, "
            f"{self.failed + self.rate_limited} failed, {skipped} skipped"
            + (f" ({'; '.join(notes)})" if notes else "")
            + f" [{count(self.keys, 'distinct key')}]"
        )

    def as_dict(self) -> dict[str, int]:
        """The JSON report's `scan.rotation`: the line's four numbers plus their parts."""
        return {
            "rotated": self.rotated,
            "already_invalid": self.already_invalid,
            "failed": self.failed + self.rate_limited,
            "skipped": self.skipped + self.earlier + self.not_rotatable + self.dry_run,
            "rate_limited": self.rate_limited,
            "not_rotatable": self.not_rotatable,
            "dry_run": self.dry_run,
            "handled_earlier": self.earlier,
            "keys": self.keys,
        }
