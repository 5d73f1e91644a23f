"""The sweep's report: DESIGN.md's version-1 JSON report with `mode: "sweep"`, a
`repository` on every finding and skipped file, and a top-level `repositories` list.

Everything is ordered by content alone (repository, then introduction date, commit, file,
line), so a sweep split into shards and merged again is the same report as the unsharded
sweep, whatever order the shards finish or are given in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from leakstop.errors import LeakstopError
from leakstop.exit_codes import ExitCode, for_findings
from leakstop.rotation.records import RotationState
from leakstop.rotation.summary import RotationTally, remembered_in, tally
from leakstop.sweep.run import FAILED, Sweep

Report = dict[str, Any]
_SUMMED = ("commits", "files", "bytes", "suppressed")


def build(sweep: Sweep, shard: tuple[int, int] | None = None) -> Report:
    repositories = [
        {
            "repository": r.target.name,
            "source": "remote" if r.target.remote else "local",
            "status": r.status,
            "reason": r.reason,
            "commits": r.commits,
            "new_commits": r.new_commits,
            "findings": len(r.records),
            "commit_link": r.commit_link,
        }
        for r in sweep.repositories
    ]
    scan: dict[str, Any] = {
        "mode": "sweep",
        "commits": sum(r.new_commits for r in sweep.repositories),
        "files": sum(r.files for r in sweep.repositories),
        "bytes": sum(r.bytes for r in sweep.repositories),
        "seconds": sweep.seconds,
        "suppressed": 0,
        "started": sweep.started,
        "skipped": [s for r in sweep.repositories for s in r.skipped],
    }
    if shard is not None:
        scan["shard"] = {"index": shard[0], "count": shard[1]}
    findings = [record for r in sweep.repositories for record in r.records]
    return normalize(
        {"version": 1, "scan": scan, "repositories": repositories, "findings": findings}
    )


def settle(report: Report, state: RotationState | None = None) -> Report:
    """The report after triage: keys that leakstop rotated in an earlier run say so in
    their `rotation` (from this machine's rotation state, which holds digests only), and
    `scan.rotation` totals the outcomes when there are any."""
    known = state or RotationState()
    for finding in report.get("findings", []):
        entry = known.get(str(finding.get("hashed_secret")))
        rotation = finding.get("rotation")
        if entry is None or entry.get("outcome") != "rotated":
            continue
        if isinstance(rotation, dict) and rotation.get("status") not in _STALE:
            continue
        finding["rotation"] = {
            "status": "rotated",
            "detail": f"rotated by leakstop on {entry.get('time')} (an earlier run); "
            "the new key went where that run's --deliver put it",
        }
    add_rotation_totals(report)
    return report


_STALE = ("skipped", "already_invalid")
"""What a later run says of a key leakstop rotated before: it is skipped, or found dead."""


def add_rotation_totals(report: Report) -> None:
    found = rotation_tally(report)
    if found is not None:
        report["scan"]["rotation"] = found.as_dict()


def normalize(report: Report) -> Report:
    """Sort every list by content (in place) and return the report."""
    report["repositories"].sort(key=lambda r: str(r.get("repository")))
    report["findings"].sort(key=finding_order)
    report["scan"]["skipped"].sort(
        key=lambda s: (str(s.get("repository")), str(s.get("file")), str(s.get("commit") or ""))
    )
    return report


def finding_order(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        str(record.get("repository") or ""),
        str(record.get("date") or ""),
        str(record.get("commit") or ""),
        str(record.get("file")),
        int(record.get("line") or 0),
        int(record.get("column") or 0),
        str(record.get("rule")),
        str(record.get("hashed_secret")),
    )


def exit_code(report: Report, ignore_errors: bool = False) -> int:
    """The table of leakstop/exit_codes.py: 5 when a rotation failed; 1 when a key was found
    (a `possible` one only if verified live) and not every key is dead, or (unless ignored) a
    repository could not be swept (a sweep that could not look cannot say "clean" or "all
    handled"); 4 when every key found is dead (rotated, already invalid, or rotated by
    leakstop before); else 0."""
    failed = any(r.get("status") == FAILED for r in report.get("repositories", []))
    blocking = any(
        f.get("confidence") != "possible" or f.get("verified") == "live" for f in report["findings"]
    )
    code = for_findings(blocking, rotation_tally(report))
    if failed and not ignore_errors and code != ExitCode.ROTATION_FAILED:
        return ExitCode.FINDINGS
    return code


def rotation_tally(report: Report) -> RotationTally | None:
    """The rotation outcomes of the report's findings, counted per key (None: there are
    none, the sweep did not rotate and leakstop never rotated one of its keys)."""
    findings = report.get("findings", [])
    if not any(isinstance(f.get("rotation"), dict) for f in findings):
        return None
    return tally(
        ((str(f.get("hashed_secret")), f.get("rotation")) for f in findings), remembered_in()
    )


def failures(report: Report) -> list[Report]:
    return [r for r in report.get("repositories", []) if r.get("status") == FAILED]


# -- merge ------------------------------------------------------------------------------
def load(path: str) -> Report:
    """A sweep's JSON report from a file (`-`: stdin), checked for the fields merge needs."""
    try:
        if path == "-":
            import sys

            text = sys.stdin.read()
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise LeakstopError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise LeakstopError(f"{path} is not JSON") from None
    _check(data, path)
    return data  # type: ignore[no-any-return]


def _check(data: object, label: str) -> None:
    def fail(why: str) -> LeakstopError:
        return LeakstopError(f"{label} is not a leakstop sweep report ({why})")

    if not isinstance(data, dict) or data.get("version") != 1:
        raise fail("version 1 expected")
    scan = data.get("scan")
    if not isinstance(scan, dict) or scan.get("mode") != "sweep":
        raise fail('scan.mode "sweep" expected')
    for key in _SUMMED:
        if not isinstance(scan.get(key, 0), int):
            raise fail(f"scan.{key} is not a number")
    if not isinstance(scan.get("skipped", []), list):
        raise fail("scan.skipped is not a list")
    for key in ("repositories", "findings"):
        items = data.get(key)
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("repository"), str) for i in items
        ):
            raise fail(f"{key} must be a list of records with a repository")


def merge(reports: Sequence[tuple[str, Report]], partial: bool = False) -> Report:
    """Join the reports of a sharded sweep into the report of the whole sweep."""
    if not reports:
        raise LeakstopError("nothing to merge")
    _check_shards(reports, partial)
    seen: dict[str, str] = {}
    repositories: list[Any] = []
    findings: list[Any] = []
    skipped: list[Any] = []
    totals = dict.fromkeys(_SUMMED, 0)
    seconds = 0.0
    started: list[str] = []
    for label, report in reports:
        for repo in report["repositories"]:
            name = repo["repository"]
            if name in seen:
                raise LeakstopError(f"{name} is in both {seen[name]} and {label}")
            seen[name] = label
        repositories += report["repositories"]
        findings += report["findings"]
        part = report["scan"]
        skipped += part.get("skipped", [])
        for key in _SUMMED:
            totals[key] += part.get(key, 0)
        # Shards run side by side: the merged sweep took as long as the slowest one.
        seconds = max(seconds, float(part.get("seconds") or 0.0))
        if part.get("started"):
            started.append(str(part["started"]))
    scan = {
        "mode": "sweep",
        "commits": totals["commits"],
        "files": totals["files"],
        "bytes": totals["bytes"],
        "seconds": seconds,
        "suppressed": totals["suppressed"],
        "started": min(started) if started else None,
        "skipped": skipped,
    }
    merged = {"version": 1, "scan": scan, "repositories": repositories, "findings": findings}
    add_rotation_totals(merged)
    return normalize(merged)


def _check_shards(reports: Sequence[tuple[str, Report]], partial: bool) -> None:
    shards: dict[int, str] = {}
    counts: set[int] = set()
    for label, report in reports:
        shard = report["scan"].get("shard")
        if shard is None:
            continue
        index = shard.get("index") if isinstance(shard, dict) else None
        count = shard.get("count") if isinstance(shard, dict) else None
        if not (isinstance(index, int) and isinstance(count, int)):
            raise LeakstopError(f"{label}: scan.shard must be {{index, count}}")
        counts.add(count)
        if index in shards:
            raise LeakstopError(f"shard {index}/{count} is given twice ({shards[index]}, {label})")
        shards[index] = label
    if len(counts) > 1:
        raise LeakstopError(f"the reports come from different splits (N = {sorted(counts)})")
    if counts and not partial:
        count = counts.pop()
        missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in shards]
        if missing:
            raise LeakstopError(
                f"shard(s) {', '.join(missing)} missing (merge what there is with --partial)"
            )
