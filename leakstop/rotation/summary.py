"""What a rotating run did, counted once per distinct key: the one-line summary every
rotating run ends with, the totals of the JSON report, and what the exit code is built on."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from leakstop.findings import Finding
from leakstop.outcomes import RotationRecord, RotationStatus, RotationTally
from leakstop.rotation.records import RotationState, Settled

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
