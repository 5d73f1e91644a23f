"""Rotating one key named by the user (`leakstop rotate`), through the same engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.exit_codes import ExitCode, for_findings
from leakstop.findings import Finding
from leakstop.outcomes import RotationStatus
from leakstop.providers import get_provider
from leakstop.rotation import delivery as deliveries
from leakstop.rotation.apply import Confirm, rotate_findings
from leakstop.rotation.engine import Engine
from leakstop.rotation.summary import of_findings
from leakstop.wording import a


def rotate_one(
    provider_name: str,
    key: str,
    deliver_spec: str | None,
    *,
    confirm: Confirm,
    dry_run: bool,
    say: Callable[[str], None],
) -> int:
    try:
        provider = get_provider(provider_name)
    except KeyError as exc:
        raise LeakstopError(str(exc.args[0])) from None
    # The user names the provider, so context rules (ECGrid, Syncline sk_live_) need none.
    rule = next((r for r in provider.rules if r.pattern.fullmatch(key)), None)
    if rule is None:
        raise LeakstopError(f"the key on stdin is not {a(provider.title)} key")
    delivery = deliveries.parse(deliver_spec)
    if not dry_run:
        delivery.preflight(git.repo_root(Path.cwd()))
    finding = Finding(rule=rule, file="<stdin>", line=0, column=0, secret=key)
    engine = Engine(delivery=delivery, dry_run=dry_run, say=say)
    try:
        rotate_findings([finding], engine, confirm, say)
    finally:
        engine.close()
    tally = of_findings([finding])
    if tally is not None:
        say(f"rotation: {tally.line()}")
    if finding.rotation is not None and finding.rotation.status == RotationStatus.DRY_RUN:
        return ExitCode.CLEAN
    # The table of scan, except that a dead key is this command's success: 0, not 4.
    code = for_findings(True, tally)
    return ExitCode.CLEAN if code == ExitCode.HANDLED else code
