"""The report as typed records: what every format writes, whatever made it.

A scan's result (`of_scan`), a sweep's and a merge of sweeps (`leakstop.sweep.report`) all
become one `Report` (a sweep's own parts are in report/sweep_records.py, which a scan never
loads); each format module renders a `Report` (`leakstop.report.render_report`).
`Report.to_json` is DESIGN.md's version-1 JSON report, field for field and in the order the
reports have always had; report/reader.py reads one back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from leakstop.findings import Finding, ScanResult, Skipped
from leakstop.outcomes import Confidence, RotationRecord, Verdict, Word
from leakstop.providers.base import Rule
from leakstop.situation import Situation

if TYPE_CHECKING:
    from leakstop.report.json_types import Json, JsonObject
    from leakstop.report.sweep_records import RepositoryRecord, Shard
    from leakstop.rotation.summary import RotationTally

VERSION = 1
SWEEP = "sweep"
"""`scan.mode` of a sweep's report (and of a merge of sweeps)."""
VERIFY_REASON_FIELDS = ("verified_detail", "verify_reason")
"""The JSON names of a verdict's reason: DESIGN.md's first name and the finding's field."""


@dataclass(slots=True)
class SkippedRecord:
    """A file (or commit, or tag) that could not be scanned, and why."""

    file: str
    reason: str
    commit: str | None = None
    repository: str | None = None
    """The sweep's repository it belongs to (sweep reports only)."""


@dataclass(slots=True)
class FindingRecord:
    """One finding as the reports show it: never its key. Fields a report of an older version
    (or a hand-made one) lacks are None and stay out of its JSON."""

    rule: str
    file: str
    provider: str | None = None
    line: int | None = None
    column: int | None = None
    commit: str | None = None
    hashed_secret: str | None = None
    redacted: str | None = None
    confidence: Confidence | None = None
    """None: not stated (reports of older versions), which means `certain`."""
    author: str | None = None
    date: str | None = None
    repository: str | None = None
    """The sweep's repository (sweep reports only)."""
    verified: Verdict | None = None
    verify_reason: str | None = None
    """Why `verified` is not definite (written as `verified_detail` and `verify_reason`)."""
    rotation: RotationRecord | None = None
    length: int | None = field(default=None, compare=False)
    """The key's length, where the key was in memory (SARIF's end column); not in JSON."""

    @property
    def blocking(self) -> bool:
        """A certain finding, or a possible one that `--verify` found live (as Finding)."""
        return self.confidence != Confidence.POSSIBLE or self.verified == Verdict.LIVE

    @property
    def possible(self) -> bool:
        return self.confidence == Confidence.POSSIBLE

    @property
    def kind(self) -> Rule:
        """The rule's record (a stand-in named by its id for a rule this version lacks)."""
        return known_rule(self.rule, self.provider)

    def to_json(self) -> JsonObject:
        sweep = self.repository is not None
        out: JsonObject = {"repository": self.repository} if sweep else {}
        _put(out, "provider", self.provider)
        out["rule"] = self.rule
        out["file"] = self.file
        _put(out, "line", self.line)
        _put(out, "column", self.column)
        out["commit"] = self.commit
        _put(out, "hashed_secret", self.hashed_secret)
        _put(out, "redacted", self.redacted)
        # Where `confidence` sits differs, as it always has: after the key in a scan's
        # records, after author and date in a sweep's.
        if not sweep:
            _put(out, "confidence", _word(self.confidence))
        _put(out, "author", self.author)
        _put(out, "date", self.date)
        if sweep:
            _put(out, "confidence", _word(self.confidence))
        if self.verified is not None:
            out["verified"] = self.verified.value
            if self.verify_reason:
                out |= dict.fromkeys(VERIFY_REASON_FIELDS, self.verify_reason)
        if self.rotation is not None:
            out["rotation"] = rotation_json(self.rotation)
        return out


@dataclass(slots=True)
class ScanTotals:
    """The report's `scan`: what was scanned, how much, and the run's rotation totals."""

    mode: str
    """files | staged | range | pre-push | history | sweep"""
    commits: int = 0
    """Commits scanned (by this run, in a sweep)."""
    files: int = 0
    bytes: int = 0
    seconds: float | None = None
    suppressed: int = 0
    started: str | None = None
    """When a sweep started (ISO 8601, UTC)."""
    skipped: list[SkippedRecord] = field(default_factory=list)
    shard: Shard | None = None
    rotation: RotationTally | None = None
    """With --rotate: the outcomes per distinct key (the run's one-line summary)."""


@dataclass(slots=True)
class Report:
    scan: ScanTotals
    findings: list[FindingRecord] = field(default_factory=list)
    repositories: list[RepositoryRecord] | None = None
    """A sweep's repositories (None: the report of one scan)."""
    situation: Situation | None = None
    """Where the scan ran (hook, CI, the commits to rewrite): the text report's advice.
    Not in JSON."""

    @property
    def blocking(self) -> bool:
        """Whether the findings fail the run (exit code 1)."""
        return any(f.blocking for f in self.findings)

    def to_json(self) -> JsonObject:
        sweep = self.repositories is not None
        scan = self.scan
        totals: JsonObject = {
            "mode": scan.mode,
            "commits": scan.commits,
            "files": scan.files,
            "bytes": scan.bytes,
            "seconds": scan.seconds,
            "suppressed": scan.suppressed,
        }
        if sweep:
            totals["started"] = scan.started
        totals["skipped"] = [skipped_json(s) for s in scan.skipped]
        if scan.shard is not None:
            totals["shard"] = {"index": scan.shard.index, "count": scan.shard.count}
        if scan.rotation is not None:
            totals["rotation"] = {**scan.rotation.as_dict()}
        out: JsonObject = {"version": VERSION, "scan": totals}
        if self.repositories is not None:
            out["repositories"] = [r.to_json() for r in self.repositories]
        out["findings"] = [f.to_json() for f in self.findings]
        return out


def rotation_json(rotation: RotationRecord) -> JsonObject:
    out: JsonObject = {"status": rotation.status.value, "detail": rotation.detail}
    if rotation.new_key_lost:
        out["new_key"] = "lost"
    return out


def skipped_json(skipped: SkippedRecord) -> JsonObject:
    if skipped.repository is None:
        out: JsonObject = {"file": skipped.file, "reason": skipped.reason}
        _put(out, "commit", skipped.commit)
        return out
    out = {"repository": skipped.repository, "file": skipped.file}
    _put(out, "commit", skipped.commit)
    out["reason"] = skipped.reason
    return out


def _put(out: JsonObject, name: str, value: Json) -> None:
    if value is not None:
        out[name] = value


def _word(value: Word | None) -> str | None:
    return None if value is None else str(value)


# -- from a scan --------------------------------------------------------------------------
def of_finding(finding: Finding) -> FindingRecord:
    commit = finding.commit
    return FindingRecord(
        provider=finding.provider,
        rule=finding.rule.id,
        file=finding.file,
        line=finding.line,
        column=finding.column,
        commit=commit.sha if commit else None,
        hashed_secret=finding.hashed_secret,
        redacted=finding.redacted,
        confidence=finding.confidence,
        author=commit.author if commit else None,
        date=commit.date if commit else None,
        verified=finding.verified,
        # A rotation may leave a reason where --verify gave no verdict: the reports show a
        # reason only with its verdict.
        verify_reason=finding.verify_reason if finding.verified is not None else None,
        rotation=finding.rotation,
        length=len(finding.secret),
    )


def of_skipped(skipped: Skipped) -> SkippedRecord:
    return SkippedRecord(skipped.file, skipped.reason, skipped.commit or None)


def of_scan(result: ScanResult) -> Report:
    stats = result.stats
    rotation = None
    if any(f.rotation is not None for f in result.findings):  # --rotate
        from leakstop.rotation.summary import of_findings

        rotation = of_findings(result.findings)
    totals = ScanTotals(
        mode=stats.mode,
        commits=stats.commits,
        files=stats.files,
        bytes=stats.bytes,
        seconds=stats.seconds,
        suppressed=result.suppressed,
        skipped=[of_skipped(s) for s in result.skipped],
        rotation=rotation,
    )
    return Report(totals, [of_finding(f) for f in result.findings], situation=result.situation)


@cache
def _rules() -> dict[str, Rule]:
    from leakstop.providers import all_rules

    return {rule.id: rule for rule in all_rules()}


def known_rule(rule_id: str, provider: str | None = None) -> Rule:
    """The rule `rule_id` names; for one this version does not know (a report of a newer
    version), a stand-in whose title is the id."""
    found = _rules().get(rule_id)
    if found is not None:
        return found
    return Rule(
        id=rule_id,
        provider=provider or "",
        title=rule_id,
        prefix="",
        body="",
        rotatable=False,
        guidance="",
    )
