"""The parts of a report only a sweep (or a merge of sweeps) has: its repositories and the
shard it covers. Apart from report/records.py so that a scan, a hook's above all, never
creates their classes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leakstop.outcomes import Word

if TYPE_CHECKING:
    from leakstop.report.json_types import JsonObject


class RepoStatus(Word):
    """How a sweep's repository fared."""

    OK = "ok"
    EMPTY = "empty"
    FAILED = "failed"


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
