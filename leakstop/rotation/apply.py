"""Verification and rotation applied to a scan's findings (used by `scan` and `rotate`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.findings import Finding
from leakstop.providers import get_api
from leakstop.rotation.engine import UNKNOWN, Engine, Target, targets

Confirm = Callable[[Sequence[Target]], bool]


def triage(
    findings: Sequence[Finding],
    *,
    verify: bool,
    rotate: bool,
    yes: bool,
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
    engine = Engine(delivery=delivery, dry_run=dry_run)
    try:
        if verify:
            verify_findings(findings, engine)
        if rotate:
            rotate_findings(findings, engine, terminal_confirm(yes), say)
    finally:
        engine.close()


def verify_findings(findings: Sequence[Finding], engine: Engine) -> None:
    found = targets(findings)
    engine.check_endpoints(found)
    for target in found:
        status, reason = _verdict(engine, target)
        for finding in target.findings:
            finding.verified = status
            if status == UNKNOWN and not finding.verify_reason:
                finding.verify_reason = reason


def _verdict(engine: Engine, target: Target) -> tuple[str, str]:
    """The check call's verdict and why, from one check call. Stop-gap until the engine
    fills `verify_reason` itself: once it does, call `engine.verify` here again and drop
    this function (it bypasses a richer reason the engine would give)."""
    api = get_api(target.rule)
    if api is None:
        return UNKNOWN, "this key family has no check call"
    status, why, _answer = engine._check(target, api)
    return status, why


def rotate_findings(
    findings: Sequence[Finding], engine: Engine, confirm: Confirm, say: Callable[[str], None]
) -> None:
    found = targets(findings)
    if not found:
        return
    engine.check_endpoints(found)
    if not engine.dry_run and not confirm(found):
        for finding in findings:
            finding.rotation = {"status": "skipped", "detail": "rotation not confirmed"}
        return
    for target in found:
        outcome = engine.rotate(target)
        say(f"{target.rule.provider}: {target.redacted}: {outcome.status}: {outcome.detail}")
        for finding in target.findings:
            finding.rotation = outcome.as_dict()


def terminal_confirm(yes: bool) -> Confirm:
    """--yes confirms; otherwise ask on a terminal, and refuse without one."""

    def confirm(found: Sequence[Target]) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise LeakstopError(
                "rotation changes keys at the provider: add --yes when not on a terminal"
            )
        import click

        rotatable = [t for t in found if t.rule.rotatable]
        click.echo(f"About to regenerate {len(rotatable)} key(s) at their providers:", err=True)
        for target in rotatable:
            click.echo(f"  {target.rule.title} {target.redacted} ({target.where})", err=True)
        return click.confirm(
            "The old keys stop working at once. Continue?", default=False, err=True
        )

    return confirm
