"""What a rotating run did, counted once per distinct key: the one-line summary every
rotating run ends with, the totals of the JSON report, and what the exit code is built on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from leakstop.findings import Finding
from leakstop.outcomes import RotationRecord, RotationStatus
from leakstop.rotation.records import RotationState, Settled
from leakstop.wording import count


@dataclass(frozen=True, slots=True)
class RotationTally:
    """The outcomes of a run's rotations, one per distinct key (only rotating runs load
    this: a scan's exit code needs just `any_failed` and `all_handled`)."""

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


Outcomes = Iterable[tuple[str, RotationRecord | None]]
"""(hashed_secret, rotation record or None) per finding."""


def tally(outcomes: Outcomes, handled_before: Callable[[str], bool] | None = None) -> RotationTally:
    """Count each distinct key once (by its first rotation record). A key "skipped" that
    `handled_before` says an earlier run rotated or found dead counts as handled."""
    first: dict[str, RotationRecord | None] = {}
    for hashed, rotation in outcomes:
        if first.get(hashed) is None:
            first[hashed] = rotation
    counts = dict.fromkeys(
        ("rotated", "already_invalid", "failed", "rate_limited", "skipped", "earlier"), 0
    ) | {"not_rotatable": 0, "dry_run": 0}
    for hashed, rotation in first.items():
        status: str = rotation.status if rotation is not None else RotationStatus.SKIPPED
        if status == "skipped" and handled_before is not None and handled_before(hashed):
            status = "earlier"
        counts[status if status in counts else "failed"] += 1
    return RotationTally(**counts)


def of_findings(findings: Iterable[Finding]) -> RotationTally | None:
    """The tally of a scan's findings, or None when no rotation was attempted on them."""
    found = list(findings)
    if all(f.rotation is None for f in found):
        return None
    return tally(((f.hashed_secret, f.rotation) for f in found), remembered_in())


def remembered_in(state: RotationState | None = None) -> Callable[[str], bool]:
    """Whether this machine's rotation state says a key was rotated or found dead."""
    known = state or RotationState()

    def handled(hashed: str) -> bool:
        entry = known.get(hashed)
        return entry is not None and entry.outcome in (Settled.ROTATED, Settled.ALREADY_INVALID)

    return handled
