"""Verification and rotation applied to a scan's findings (used by `scan` and `rotate`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from leakstop.findings import Finding
from leakstop.outcomes import RotationRecord, RotationStatus
from leakstop.rotation.engine import Engine, Target, targets

Confirm = Callable[[Sequence[Target]], bool]


def triage(
    findings: Sequence[Finding],
    *,
    verify: bool,
    rotate: bool,
    confirm: Confirm,
    dry_run: bool,
    deliver_spec: str | None,
    cwd: Path,
    say: Callable[[str], None],
) -> None:
    """--verify and --rotate on a scan's findings; outcomes land on the findings."""
    from leakstop import git
    from leakstop.rotation import delivery as deliveries

    delivery = None
    if rotate:
        delivery = deliveries.parse(deliver_spec)
        if not dry_run:
            delivery.preflight(git.repo_root(cwd))
    engine = Engine(delivery=delivery, dry_run=dry_run, say=say)
    try:
        if rotate and not dry_run:
            engine.prepare_state()  # before the first call of any kind, --verify's included
        if verify:
            verify_findings(findings, engine)
        if rotate:
            rotate_findings(findings, engine, confirm, say)
    finally:
        engine.close()


def verify_findings(findings: Sequence[Finding], engine: Engine) -> None:
    """`verified` on every finding, and `verify_reason` where the verdict is not definite."""
    found = targets(findings)
    engine.check_endpoints(found)
    for target in found:
        status, reason = engine.verdict(target)
        for finding in target.findings:
            finding.verified = status
            finding.verify_reason = reason


def rotate_findings(
    findings: Sequence[Finding], engine: Engine, confirm: Confirm, say: Callable[[str], None]
) -> None:
    found = targets(findings)
    if not found:
        return
    engine.check_endpoints(found)
    for line in engine.stale_records(found):
        say(f"WARNING: {line}")
    if not engine.dry_run and not confirm(found):
        for finding in findings:
            finding.rotation = RotationRecord(RotationStatus.SKIPPED, "rotation not confirmed")
        return
    for target in found:
        outcome = engine.rotate(target)
        say(f"{target.rule.provider}: {target.redacted}: {outcome.status}: {outcome.detail}")
        for finding in target.findings:
            finding.rotation = outcome.record()
            if outcome.reason is not None:
                finding.verify_reason = outcome.reason
