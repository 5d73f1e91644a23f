"""The records of a scan, from what a source reads to what the report shows: blocks of text,
the detector's hits, where a source saw them, findings (never showing their key), skipped
files and totals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from leakstop.outcomes import Confidence, RotationRecord, Verdict
from leakstop.providers.base import Rule
from leakstop.secrets_text import hashed_secret, redact
from leakstop.situation import Situation


@dataclass(frozen=True, slots=True)
class Block:
    """Text to scan: a whole file, or the context and added lines of one diff hunk."""

    path: str
    text: str
    first_line: int = 1
    added: frozenset[int] | None = None
    """Line numbers that may be reported (added lines of a diff); None means every line."""
    whole: Callable[[], str | None] | None = field(default=None, compare=False, repr=False)
    """For part of a file (a hunk): reads the whole file as this side of the change has it,
    for rules that judge a value by the structure it sits in however far it opens. Called
    at most once per block, and only when such a value is on a reportable line."""
    span: tuple[int, int] | None = None
    """Offsets of the text where a reported key may start; the rest is context (a segment of
    a file read in pieces, whose neighbours report their own keys). None means all of it."""
    first_column: int = 1
    """Column of the text's first character in its line (a segment may start mid-line)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One key the detector found at a 1-based line and column of a block."""

    rule: Rule
    secret: str = field(repr=False)
    line: int
    column: int
    confidence: Confidence = Confidence.CERTAIN
    """`certain`, or `possible` where the evidence is honestly ambiguous (detect/scoped.py)."""


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    author: str
    date: str
    """ISO 8601 author date."""


@dataclass(frozen=True, slots=True)
class Sighting:
    """A hit where a commit source saw it: the file (or message) and the commit. Commit
    sources run the detector themselves, inside their parallel readers, and hand these to
    the scan core, which makes the findings (leakstop/scan.py)."""

    hit: Hit
    path: str
    commit: CommitInfo | None = None


@dataclass(slots=True)
class Finding:
    """One key at one place. The key itself stays in memory for --verify / --rotate only:
    it is excluded from ``repr`` and every report uses ``redacted`` / ``hashed_secret``."""

    rule: Rule
    file: str
    line: int
    column: int
    secret: str = field(repr=False)
    commit: CommitInfo | None = None
    verified: Verdict | None = None
    verify_reason: str | None = None
    """Why a verdict is not definite (`unknown`): connection refused, timeout, HTTP 503 …"""
    rotation: RotationRecord | None = None
    confidence: Confidence = Confidence.CERTAIN
    """`certain`, or `possible` where the evidence is honestly ambiguous (an ECGrid GUID
    labelled as a key but not clearly in ECGrid scope): reported, but blocking only when
    `--verify` finds the key live."""

    @property
    def blocking(self) -> bool:
        """Whether this finding fails the scan (exit code 1)."""
        return self.confidence != Confidence.POSSIBLE or self.verified == Verdict.LIVE

    @property
    def provider(self) -> str:
        return self.rule.provider

    @property
    def hashed_secret(self) -> str:
        return hashed_secret(self.secret)

    @property
    def redacted(self) -> str:
        return redact(self.secret, self.rule.prefix)


@dataclass(frozen=True, slots=True)
class Skipped:
    file: str
    reason: str
    commit: str | None = None


@dataclass(slots=True)
class ScanStats:
    mode: str
    commits: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class ScanResult:
    stats: ScanStats
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    suppressed: int = 0
    """Findings dropped because a baseline accepts them (counted, not listed)."""
    situation: Situation | None = None
    """Where the scan ran (hook, CI, the commits to rewrite): the text report's advice."""

    @property
    def blocking(self) -> bool:
        """Whether the scan fails (exit code 1): a certain finding, or a possible one that
        `--verify` found live."""
        return any(f.blocking for f in self.findings)
