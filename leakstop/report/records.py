"""The report as typed records: what every format writes, whatever made it.

A scan's result (`of_scan`), a sweep's and a merge of sweeps (`leakstop.sweep.report`) all
become one `Report`; each format module renders a `Report` (`leakstop.report.render`).
`to_json` is DESIGN.md's version-1 JSON report, field for field and in the order the
reports have always had; `parse` reads one back (a report of this or an older version: a
field it lacks stays absent and is not written back), with a one-line error for anything
malformed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, TypeVar

from leakstop.errors import LeakstopError
from leakstop.findings import Finding, ScanResult, Skipped
from leakstop.outcomes import Confidence, RotationRecord, RotationStatus, Verdict, Word
from leakstop.providers.base import Rule
from leakstop.situation import Situation

if TYPE_CHECKING:
    from typing import TypeAlias

    from leakstop.rotation.summary import RotationTally

Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"
JsonObject: TypeAlias = "dict[str, Json]"

VERSION = 1
SWEEP = "sweep"
"""`scan.mode` of a sweep's report (and of a merge of sweeps)."""
VERIFY_REASON_FIELDS = ("verified_detail", "verify_reason")
"""The JSON names of a verdict's reason: DESIGN.md's first name and the finding's field."""


class RepoStatus(Word):
    """How a sweep's repository fared."""

    OK = "ok"
    EMPTY = "empty"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
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
class RepositoryRecord:
    """One repository of a sweep."""

    repository: str
    status: RepoStatus
    source: str | None = None
    """`local` or `remote`."""
    reason: str | None = None
    """Why it could not be swept."""
    commits: int = 0
    """Commits scanned over all runs."""
    new_commits: int = 0
    """Commits scanned by this run."""
    findings: int = 0
    commit_link: str | None = None
    """The forge's commit address, the commit's SHA to append (GitHub, GitLab, Bitbucket)."""

    def to_json(self) -> JsonObject:
        return {
            "repository": self.repository,
            "source": self.source,
            "status": self.status.value,
            "reason": self.reason,
            "commits": self.commits,
            "new_commits": self.new_commits,
            "findings": self.findings,
            "commit_link": self.commit_link,
        }


@dataclass(frozen=True, slots=True)
class Shard:
    index: int
    count: int


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
    from leakstop.rotation.summary import of_findings

    stats = result.stats
    totals = ScanTotals(
        mode=stats.mode,
        commits=stats.commits,
        files=stats.files,
        bytes=stats.bytes,
        seconds=stats.seconds,
        suppressed=result.suppressed,
        skipped=[of_skipped(s) for s in result.skipped],
        rotation=of_findings(result.findings),  # None unless --rotate
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


# -- from JSON ------------------------------------------------------------------------------
class Malformed(ValueError):
    """What is wrong with a JSON report, in a few words (`findings[2].line is not a number`)."""


def parse(data: object, label: str, what: str = "leakstop report") -> Report:
    """The report in `data` (a parsed JSON document named `label`), or a LeakstopError
    that says in one line what is wrong with it."""
    try:
        return _report(data)
    except Malformed as exc:
        raise LeakstopError(f"{label} is not a {what} ({exc})") from None


def read_finding(data: Mapping[str, object]) -> FindingRecord:
    """A finding's JSON record (one a sweep remembers), or a LeakstopError."""
    try:
        return _finding(data, "")
    except Malformed as exc:
        raise LeakstopError(f"a remembered finding is malformed ({exc})") from None


def read_skipped(data: Mapping[str, object]) -> SkippedRecord:
    """A skipped file's JSON record (one a sweep remembers), or a LeakstopError."""
    try:
        return _skipped(data, "")
    except Malformed as exc:
        raise LeakstopError(f"a remembered skipped file is malformed ({exc})") from None


def _report(data: object) -> Report:
    top = _object(data, "the report")
    if top.get("version") != VERSION:
        raise Malformed(f"version {VERSION} expected")
    scan = _object(top.get("scan"), "scan")
    mode = _value(scan, "mode", str, "scan.")
    if mode is None:
        raise Malformed("scan.mode is missing")
    shard = None
    if scan.get("shard") is not None:
        part = _object(scan["shard"], "scan.shard")
        index, count = _value(part, "index", int, ""), _value(part, "count", int, "")
        if index is None or count is None:
            raise Malformed("scan.shard must be {index, count}")
        shard = Shard(index, count)
    totals = ScanTotals(
        mode=mode,
        commits=_value(scan, "commits", int, "scan.") or 0,
        files=_value(scan, "files", int, "scan.") or 0,
        bytes=_value(scan, "bytes", int, "scan.") or 0,
        seconds=_value(scan, "seconds", float, "scan."),
        suppressed=_value(scan, "suppressed", int, "scan.") or 0,
        started=_value(scan, "started", str, "scan."),
        skipped=_items(scan, "skipped", "scan.", _skipped),
        shard=shard,
    )  # no `rotation`: sweep.report counts it again from the findings
    repositories = None
    if "repositories" in top:
        repositories = _items(top, "repositories", "", _repository)
    return Report(totals, _items(top, "findings", "", _finding), repositories)


def _finding(data: Mapping[str, object], at: str) -> FindingRecord:
    reason = next((r for r in (_value(data, n, str, at) for n in VERIFY_REASON_FIELDS) if r), None)
    return FindingRecord(
        rule=_required(data, "rule", at),
        file=_required(data, "file", at),
        provider=_value(data, "provider", str, at),
        line=_value(data, "line", int, at),
        column=_value(data, "column", int, at),
        commit=_value(data, "commit", str, at),
        hashed_secret=_value(data, "hashed_secret", str, at),
        redacted=_value(data, "redacted", str, at),
        confidence=_word_of(data, "confidence", Confidence, at),
        author=_value(data, "author", str, at),
        date=_value(data, "date", str, at),
        repository=_value(data, "repository", str, at),
        verified=_word_of(data, "verified", Verdict, at),
        verify_reason=reason,
        rotation=_rotation(data.get("rotation"), f"{at}rotation"),
    )


def _rotation(value: object, at: str) -> RotationRecord | None:
    if value is None:
        return None
    data = _object(value, at)
    status = _word_of(data, "status", RotationStatus, f"{at}.")
    detail = _value(data, "detail", str, f"{at}.")
    if status is None or detail is None:
        raise Malformed(f"{at} must have a status and a detail")
    lost = _value(data, "new_key", str, f"{at}.")
    if lost not in (None, "lost"):
        raise Malformed(f'{at}.new_key must be "lost"')
    return RotationRecord(status, detail, new_key_lost=lost == "lost")


def _skipped(data: Mapping[str, object], at: str) -> SkippedRecord:
    return SkippedRecord(
        file=_required(data, "file", at),
        reason=_required(data, "reason", at),
        commit=_value(data, "commit", str, at),
        repository=_value(data, "repository", str, at),
    )


def _repository(data: Mapping[str, object], at: str) -> RepositoryRecord:
    status = _word_of(data, "status", RepoStatus, at)
    return RepositoryRecord(
        repository=_required(data, "repository", at),
        status=RepoStatus.OK if status is None else status,
        source=_value(data, "source", str, at),
        reason=_value(data, "reason", str, at),
        commits=_value(data, "commits", int, at) or 0,
        new_commits=_value(data, "new_commits", int, at) or 0,
        findings=_value(data, "findings", int, at) or 0,
        commit_link=_value(data, "commit_link", str, at),
    )


T = TypeVar("T")
E = TypeVar("E", bound=Enum)
_KINDS: dict[type, str] = {int: "a number", float: "a number", str: "text"}


def _object(value: object, at: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise Malformed(f"{at} is not an object")
    return value


def _items(
    data: Mapping[str, object],
    name: str,
    at: str,
    read: Callable[[Mapping[str, object], str], T],
) -> list[T]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise Malformed(f"{at}{name} is not a list")
    return [
        read(_object(item, f"{at}{name}[{i}]"), f"{at}{name}[{i}].") for i, item in enumerate(value)
    ]


def _value(data: Mapping[str, object], name: str, kind: type[T], at: str) -> T | None:
    """`data[name]` if it has the type `kind` (an int is a float too, a bool no number),
    None if it is absent or null."""
    value = data.get(name)
    if value is None:
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise Malformed(f"{at}{name} is not {_KINDS[kind]}")
    return value


def _required(data: Mapping[str, object], name: str, at: str) -> str:
    value = _value(data, name, str, at)
    if value is None:
        raise Malformed(f"{at}{name} is missing")
    return value


def _word_of(data: Mapping[str, object], name: str, kind: type[E], at: str) -> E | None:
    value = _value(data, name, str, at)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in kind)
        raise Malformed(f"{at}{name} must be one of {allowed}") from None
