"""What a sweep remembers per repository, so a re-run scans only new commits.

One JSON file per repository in the cache directory:

    {"version": 1, "repository": NAME, "rules": DIGEST, "tips": [SHA, ...], "commits": N,
     "findings": [KEYLESS RECORD, ...], "skipped": [{"file", "reason"}, ...]}

`tips` are the commits the repository's refs pointed at when it was last scanned: the next
run scans `rev-list <current tips> --not <tips>`. `findings` are report records (provider,
rule, file, line, column, commit, author, date, hashed_secret, redacted): never a key.
`rules` is a digest of the detection rules; when leakstop's rules change the state no longer
applies and the whole history is scanned again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.providers import all_rules
from leakstop.report.json_types import JsonObject
from leakstop.report.reader import read_finding, read_skipped
from leakstop.report.records import FindingRecord, SkippedRecord, skipped_json

VERSION = 1
_RECORD_FIELDS = {
    "provider": str,
    "rule": str,
    "file": str,
    "line": int,
    "column": int,
    "hashed_secret": str,
    "redacted": str,
}


@dataclass
class RepoState:
    tips: list[str] = field(default_factory=list)
    commits: int = 0
    findings: list[FindingRecord] = field(default_factory=list)
    """Keyless, unnamed (no repository) and without triage outcomes."""
    skipped: list[SkippedRecord] = field(default_factory=list)


def rules_digest() -> str:
    text = "\n".join(repr(rule) for rule in all_rules())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load(path: Path) -> RepoState | None:
    """The remembered state, or None when there is none that applies (missing, unreadable,
    another format, other rules, or an entry this version cannot read): then the whole
    history is scanned."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    if data.get("rules") != rules_digest():
        return None
    tips, commits = data.get("tips"), data.get("commits")
    findings, skipped = data.get("findings"), data.get("skipped")
    if not (
        isinstance(tips, list)
        and all(isinstance(t, str) and _is_sha(t) for t in tips)
        and isinstance(commits, int)
        and isinstance(findings, list)
        and isinstance(skipped, list)
    ):
        return None
    try:
        return RepoState(
            tips=tips,
            commits=commits,
            findings=[_finding(f) for f in findings],
            skipped=[_skipped(s) for s in skipped],
        )
    except LeakstopError:
        return None


def save(path: Path, name: str, state: RepoState) -> None:
    """Write atomically (a temporary file renamed over the old one)."""
    data = {
        "version": VERSION,
        "repository": name,
        "rules": rules_digest(),
        "tips": sorted(state.tips),
        "commits": state.commits,
        "findings": [_keyless(f) for f in state.findings],
        "skipped": [skipped_json(_unnamed(s)) for s in state.skipped],
    }
    fd, tmp = tempfile.mkstemp(prefix=".state.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _keyless(record: FindingRecord) -> JsonObject:
    """Only where and what, never triage outcomes (they go stale) or the repository name."""
    data = record.to_json()
    keep = (*_RECORD_FIELDS, "confidence", "commit", "author", "date")
    return {k: data[k] for k in keep if k in data}


def _unnamed(record: SkippedRecord) -> SkippedRecord:
    return record if record.repository is None else replace(record, repository=None)


def _finding(data: object) -> FindingRecord:
    """A remembered finding: a report record with every field the sweep needs, or a
    LeakstopError."""
    if not isinstance(data, dict):
        raise LeakstopError("a remembered finding is not an object")
    record = read_finding(data)
    if not all(isinstance(data.get(k), t) for k, t in _RECORD_FIELDS.items()) or not isinstance(
        data.get("commit"), str
    ):
        raise LeakstopError("a remembered finding lacks a field")
    return record


def _skipped(data: object) -> SkippedRecord:
    if not isinstance(data, dict):
        raise LeakstopError("a remembered skipped file is not an object")
    return _unnamed(read_skipped(data))


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)
