"""What a scan produces: findings (never showing their key), skipped files and totals."""

from __future__ import annotations

from dataclasses import dataclass, field

from leakstop.outcomes import Confidence, RotationRecord, Verdict
from leakstop.providers.base import Rule
from leakstop.secrets_text import hashed_secret, redact
from leakstop.situation import Situation


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    author: str
    date: str
    """ISO 8601 author date."""


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
