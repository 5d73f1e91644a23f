"""Reading a JSON report back into the typed records (report/records.py): a report of this
version or an older one, a sweep's remembered finding. A field the JSON lacks stays absent
(None) and is not written back; a field present must have its type and, for an enum, one of
its words. What is wrong is said in one line that names the field
(`findings[2].verified must be one of live, invalid, unknown`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeVar

from leakstop.errors import LeakstopError
from leakstop.outcomes import Confidence, RotationRecord, RotationStatus, Verdict
from leakstop.report.records import (
    VERIFY_REASON_FIELDS,
    VERSION,
    FindingRecord,
    Report,
    ScanTotals,
    SkippedRecord,
)
from leakstop.report.sweep_records import RepositoryRecord, RepoStatus, Shard


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
    if _value(top, "version", int, "") != VERSION:
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
