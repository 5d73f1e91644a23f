"""--verify and --rotate across a sweep, with the rules and engine of `scan`.

Each distinct key is checked once, however many repositories hold it. A finding from an
earlier run has no key in memory (the state never stores one): its line is read back from
the repository (`git cat-file blob COMMIT:FILE`) and run through the detector to get the key
again. Calls are paced per provider (a minimum interval between two calls to the same
provider, longer after a 429), and keys are taken round-robin across providers so the pacing
costs as little time as possible. `--rotate` regenerates only keys the check found live.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import Block, CommitInfo, Finding
from leakstop.outcomes import RotationRecord, RotationStatus, Verdict
from leakstop.providers import all_rules, get_rule
from leakstop.report.records import FindingRecord
from leakstop.rotation.apply import Confirm
from leakstop.rotation.engine import LIVE, Engine
from leakstop.secrets_text import hashed_secret
from leakstop.sources.read_back import text_at
from leakstop.sweep.run import Sweep

DEFAULT_INTERVAL = 1.0
"""Seconds between two calls to the same provider (a conservative default)."""
MAX_BACKOFF = 60.0
"""The longest pause a provider's 429 imposes on the sweep's further calls to it (a 429 on
a regenerate call is about one account's hourly quota, not the whole sweep)."""


class Pacer:
    """A minimum interval between calls to the same provider; thread-safe."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, provider: str) -> None:
        with self._lock:
            now = self._clock()
            at = max(now, self._next.get(provider, now))
            self._next[provider] = at + self.interval
        if at > now:
            self._sleep(at - now)

    def back_off(self, provider: str, seconds: float) -> None:
        with self._lock:
            until = self._clock() + min(max(seconds, self.interval), MAX_BACKOFF)
            self._next[provider] = max(self._next.get(provider, 0.0), until)


def preflight(*, rotate: bool, yes: bool, dry_run: bool, deliver_spec: str | None) -> None:
    """What would stop --verify / --rotate after a long sweep, checked before it starts:
    the providers' endpoints, the --deliver spec, and a confirmation that cannot be asked."""
    import sys

    from leakstop.providers import all_providers
    from leakstop.rotation import delivery as deliveries
    from leakstop.rotation import endpoints

    config = endpoints.user_config()
    for provider in all_providers():
        endpoints.base_url(provider, config)
    if rotate:
        deliveries.parse(deliver_spec)
        if not (yes or dry_run or sys.stdin.isatty()):
            raise LeakstopError(
                "rotation changes keys at the provider: add --yes when not on a terminal"
            )


def triage_sweep(
    sweep: Sweep,
    records: Sequence[FindingRecord],
    *,
    rotate: bool,
    confirm: Confirm,
    dry_run: bool,
    deliver_spec: str | None,
    interval: float,
    say: Callable[[str], None],
) -> None:
    """Check every distinct key of `records` and, with `rotate`, regenerate the live ones;
    the outcomes land on the records (`verified`, and `rotation` with `rotate`)."""
    from leakstop.rotation import delivery as deliveries
    from leakstop.rotation.apply import rotate_findings, verify_findings

    if not records:
        return
    by_key: dict[str, list[FindingRecord]] = {}
    for record in records:
        by_key.setdefault(str(record.hashed_secret), []).append(record)
    findings, lost = _keys(sweep, by_key)
    delivery = None
    if rotate:
        delivery = deliveries.parse(deliver_spec)
        if not dry_run:
            for root in _work_trees(sweep):
                delivery.preflight(root)
    engine = Engine(pacer=Pacer(interval), delivery=delivery, dry_run=dry_run, say=say)
    ordered = round_robin(findings)
    try:
        verify_findings(ordered, engine)
        counts = {s: sum(f.verified == s for f in ordered) for s in ("live", "invalid", "unknown")}
        say(
            f"checked {len(ordered)} distinct key(s): {counts['live']} live, "
            f"{counts['invalid']} invalid, {counts['unknown']} unknown"
            + (f"; {len(lost)} could not be read back from their repository" if lost else "")
        )
        if rotate:
            # A key whose rotation was killed mid-way may be dead now: its journal record
            # still needs the engine's check, so it goes with the live ones.
            live = [f for f in ordered if f.verified == LIVE or engine.journal.get(f.hashed_secret)]
            for finding in ordered:
                if finding not in live:
                    finding.rotation = not_live(finding)
            if live:
                rotate_findings(live, engine, confirm, say)
    finally:
        engine.close()
    for finding in ordered:
        for record in by_key[finding.hashed_secret]:
            record.verified, record.verify_reason = finding.verified, finding.verify_reason
            if rotate:
                record.rotation = finding.rotation
    for hashed in lost:
        for record in by_key[hashed]:
            record.verified = Verdict.UNKNOWN
            record.verify_reason = "the key could not be read back from its repository"
            if rotate:
                record.rotation = RotationRecord(
                    RotationStatus.SKIPPED, "the key could not be read back from the repository"
                )


def not_live(finding: Finding) -> RotationRecord:
    if not finding.rule.rotatable:
        return RotationRecord(RotationStatus.NOT_ROTATABLE, finding.rule.guidance)
    if finding.verified == Verdict.INVALID:
        return RotationRecord(RotationStatus.ALREADY_INVALID, "the provider rejects this key")
    return RotationRecord(
        RotationStatus.SKIPPED, "the check could not tell whether the key is live; not rotated"
    )


def _keys(sweep: Sweep, by_key: dict[str, list[FindingRecord]]) -> tuple[list[Finding], list[str]]:
    """One finding holding its key per distinct key, and the hashes not found again."""
    known = {h: f for repo in sweep.repositories for h, f in repo.keys.items()}
    roots = {repo.target.name: repo.root for repo in sweep.repositories}
    detector = Detector(all_rules())
    found: list[Finding] = []
    lost: list[str] = []
    for hashed, records in by_key.items():
        first = records[0]
        secret = known[hashed].secret if hashed in known else None
        for record in records:
            if secret is not None:
                break
            secret = read_back(roots.get(str(record.repository)), record, detector)
        if secret is None:
            lost.append(hashed)
            continue
        found.append(
            Finding(
                rule=get_rule(first.rule),
                file=f"{first.repository}:{first.file}",
                line=first.line or 0,
                column=first.column or 0,
                secret=secret,
                commit=CommitInfo(first.commit, first.author or "", first.date or "")
                if first.commit
                else None,
            )
        )
    return found, lost


def read_back(root: Path | None, record: FindingRecord, detector: Detector) -> str | None:
    """The key of `record` read again from its commit's file (None: not there any more)."""
    if root is None or not record.commit:
        return None
    text = text_at(root, record.commit, record.file)
    if text is None:
        return None
    for hit in detector.scan(Block(path=record.file, text=text)):
        if hashed_secret(hit.secret) == record.hashed_secret:
            return hit.secret
    return None


def round_robin(findings: Iterable[Finding]) -> list[Finding]:
    queues: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=lambda f: (f.provider, f.file, f.line)):
        queues.setdefault(finding.provider, []).append(finding)
    ordered: list[Finding] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                ordered.append(queue.pop(0))
    return ordered


def _work_trees(sweep: Sweep) -> list[Path | None]:
    """Where new keys must never be written: the local repositories swept, and the
    repository of the current directory."""
    roots: list[Path | None] = [git.repo_root(Path.cwd())]
    roots += [r.root for r in sweep.repositories if r.root is not None and not r.target.remote]
    return roots
