"""The sweep's report: DESIGN.md's version-1 JSON report with `mode: "sweep"`, a
`repository` on every finding and skipped file, and a top-level `repositories` list, as
the typed `Report` of report/records.py.

Everything is ordered by content alone (repository, then introduction date, commit, file,
line), so a sweep split into shards and merged again is the same report as the unsharded
sweep, whatever order the shards finish or are given in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.exit_codes import ExitCode, for_findings
from leakstop.outcomes import RotationRecord, RotationStatus
from leakstop.report.reader import parse
from leakstop.report.records import SWEEP, FindingRecord, Report, ScanTotals
from leakstop.report.sweep_records import RepositoryRecord, RepoStatus, Shard
from leakstop.rotation.records import RotationState, Settled
from leakstop.rotation.summary import RotationTally, remembered_in, tally
from leakstop.sweep.run import Sweep


def of_sweep(sweep: Sweep, shard: tuple[int, int] | None = None) -> Report:
    repositories = [
        RepositoryRecord(
            repository=r.target.name,
            source="remote" if r.target.remote else "local",
            status=r.status,
            reason=r.reason,
            commits=r.commits,
            new_commits=r.new_commits,
            findings=len(r.records),
            commit_link=r.commit_link,
        )
        for r in sweep.repositories
    ]
    scan = ScanTotals(
        mode=SWEEP,
        commits=sum(r.new_commits for r in sweep.repositories),
        files=sum(r.files for r in sweep.repositories),
        bytes=sum(r.bytes for r in sweep.repositories),
        seconds=sweep.seconds,
        started=sweep.started,
        skipped=[s for r in sweep.repositories for s in r.skipped],
        shard=Shard(*shard) if shard is not None else None,
    )
    # Copies: triage fills in verdicts and rotations on the report's records alone.
    findings = [replace(record) for r in sweep.repositories for record in r.records]
    return normalize(Report(scan, findings, repositories))


def settle(report: Report, state: RotationState | None = None) -> Report:
    """The report after triage: keys that leakstop rotated in an earlier run say so in
    their `rotation` (from this machine's rotation state, which holds digests only), and
    `scan.rotation` totals the outcomes when there are any."""
    known = state or RotationState()
    for finding in report.findings:
        entry = known.get(str(finding.hashed_secret))
        if entry is None or entry.outcome != Settled.ROTATED:
            continue
        if finding.rotation is not None and finding.rotation.status not in _STALE:
            continue
        finding.rotation = RotationRecord(
            RotationStatus.ROTATED,
            f"rotated by leakstop on {entry.time} (an earlier run); "
            "the new key went where that run's --deliver put it",
        )
    add_rotation_totals(report)
    return report


_STALE = (RotationStatus.SKIPPED, RotationStatus.ALREADY_INVALID)
"""What a later run says of a key leakstop rotated before: it is skipped, or found dead."""


def add_rotation_totals(report: Report) -> None:
    found = rotation_tally(report)
    if found is not None:
        report.scan.rotation = found


def normalize(report: Report) -> Report:
    """Sort every list by content (in place) and return the report."""
    if report.repositories is not None:
        report.repositories.sort(key=lambda r: r.repository)
    report.findings.sort(key=finding_order)
    report.scan.skipped.sort(key=lambda s: (str(s.repository), s.file, s.commit or ""))
    return report


def finding_order(record: FindingRecord) -> tuple[str, str, str, str, int, int, str, str]:
    return (
        record.repository or "",
        record.date or "",
        record.commit or "",
        record.file,
        record.line or 0,
        record.column or 0,
        record.rule,
        str(record.hashed_secret),
    )


def exit_code(report: Report, ignore_errors: bool = False) -> int:
    """The table of leakstop/exit_codes.py: 5 when a rotation failed; 1 when a key was found
    (a `possible` one only if verified live) and not every key is dead, or (unless ignored) a
    repository could not be swept (a sweep that could not look cannot say "clean" or "all
    handled"); 4 when every key found is dead (rotated, already invalid, or rotated by
    leakstop before); else 0."""
    code = for_findings(report.blocking, rotation_tally(report))
    if failures(report) and not ignore_errors and code != ExitCode.ROTATION_FAILED:
        return ExitCode.FINDINGS
    return code


def rotation_tally(report: Report) -> RotationTally | None:
    """The rotation outcomes of the report's findings, counted per key (None: there are
    none, the sweep did not rotate and leakstop never rotated one of its keys)."""
    findings = report.findings
    if all(f.rotation is None for f in findings):
        return None
    return tally(((str(f.hashed_secret), f.rotation) for f in findings), remembered_in())


def failures(report: Report) -> list[RepositoryRecord]:
    return [r for r in report.repositories or [] if r.status == RepoStatus.FAILED]


# -- merge ------------------------------------------------------------------------------
def load(path: str) -> Report:
    """A sweep's JSON report from a file (`-`: stdin), checked for the fields merge needs."""
    try:
        if path == "-":
            import sys

            text = sys.stdin.read()
        else:
            text = Path(path).read_text(encoding="utf-8")
        data: object = json.loads(text)
    except OSError as exc:
        raise LeakstopError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise LeakstopError(f"{path} is not JSON") from None
    return read(data, path)


def read(data: object, label: str) -> Report:
    """The sweep report in the JSON document `data`, or a one-line LeakstopError."""
    what = "leakstop sweep report"
    report = parse(data, label, what)
    if report.scan.mode != SWEEP:
        raise LeakstopError(f'{label} is not a {what} (scan.mode "{SWEEP}" expected)')
    if report.repositories is None or any(f.repository is None for f in report.findings):
        raise LeakstopError(
            f"{label} is not a {what} (repositories and findings must be lists of records "
            "with a repository)"
        )
    return report


def merge_reports(reports: Sequence[tuple[str, Report]], partial: bool = False) -> Report:
    """Join the reports of a sharded sweep into the report of the whole sweep."""
    if not reports:
        raise LeakstopError("nothing to merge")
    _check_shards(reports, partial)
    seen: dict[str, str] = {}
    repositories: list[RepositoryRecord] = []
    merged = Report(ScanTotals(mode=SWEEP, seconds=0.0), repositories=repositories)
    scan = merged.scan
    started: list[str] = []
    for label, report in reports:
        for repo in report.repositories or []:
            name = repo.repository
            if name in seen:
                raise LeakstopError(f"{name} is in both {seen[name]} and {label}")
            seen[name] = label
            repositories.append(repo)
        merged.findings += report.findings
        part = report.scan
        scan.skipped += part.skipped
        scan.commits += part.commits
        scan.files += part.files
        scan.bytes += part.bytes
        scan.suppressed += part.suppressed
        # Shards run side by side: the merged sweep took as long as the slowest one.
        scan.seconds = max(scan.seconds or 0.0, part.seconds or 0.0)
        if part.started:
            started.append(part.started)
    scan.started = min(started) if started else None
    add_rotation_totals(merged)
    return normalize(merged)


def _check_shards(reports: Sequence[tuple[str, Report]], partial: bool) -> None:
    shards: dict[int, str] = {}
    counts: set[int] = set()
    for label, report in reports:
        shard = report.scan.shard
        if shard is None:
            continue
        counts.add(shard.count)
        if shard.index in shards:
            raise LeakstopError(
                f"shard {shard.index}/{shard.count} is given twice ({shards[shard.index]}, {label})"
            )
        shards[shard.index] = label
    if len(counts) > 1:
        raise LeakstopError(f"the reports come from different splits (N = {sorted(counts)})")
    if counts and not partial:
        count = counts.pop()
        missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in shards]
        if missing:
            raise LeakstopError(
                f"shard(s) {', '.join(missing)} missing (merge what there is with --partial)"
            )
