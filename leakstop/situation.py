"""Where a scan ran, as far as advice needs it: the hook or mode, a CI system, and the
commits that carry keys (oldest first, with their parents), so the report can say exactly
which commits to rewrite and how. Nothing here is shown as is: no commit message is read
(a message may hold the key itself)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

CI_SYSTEMS = (("GITHUB_ACTIONS", "GitHub Actions"), ("GITLAB_CI", "GitLab CI"), ("CI", "CI"))
_TRUE = ("true", "1", "yes")


@dataclass(frozen=True, slots=True)
class FlaggedCommit:
    sha: str
    parents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Situation:
    mode: str
    """files | staged | range | pre-push | pre-receive | history (pre-receive kept apart
    from pre-push here, though the report's mode names both pre-push)."""
    ci: str | None = None
    """The CI system the scan runs in (GitHub Actions, GitLab CI, CI), if any."""
    head: str | None = None
    """The commit HEAD points at, where there is a work tree."""
    commits: tuple[FlaggedCommit, ...] = field(default_factory=tuple)
    """Commits that carry a finding, oldest first."""
    revision_range: str | None = None


def ci_system(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    for variable, name in CI_SYSTEMS:
        if env.get(variable, "").strip().lower() in _TRUE:
            return name
    return None


def _oldest_first(cwd: Path, wanted: list[str]) -> tuple[FlaggedCommit, ...]:
    """`wanted` in topological order, oldest first, with their parents. The walk stops at
    their common ancestor, so it covers the commits between them, not the whole history
    (commit dates alone cannot order commits made within the same second)."""
    from leakstop import git

    listed = ("\n".join(wanted) + "\n").encode()
    base = git.run(["merge-base", "--octopus", *wanted], cwd, check=False).split()
    walk = ["rev-list", "--topo-order", "--reverse", "--parents", "--stdin"]
    if len(wanted) == 1 or not base:
        walk = ["rev-list", "--no-walk=sorted", "--reverse", "--parents", "--stdin"]
    else:
        listed += b"".join(b"^" + sha + b"^@\n" for sha in base)
    out = git.run(walk, cwd, check=False, data=listed)
    keep = set(wanted)
    rows = [line.split() for line in out.decode("ascii", "replace").splitlines()]
    return tuple(FlaggedCommit(r[0], tuple(r[1:])) for r in rows if r and r[0] in keep)


def detect(
    mode: str,
    cwd: Path,
    shas: Iterable[str],
    *,
    revision_range: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Situation:
    """The situation of a finished scan (`shas`: the commits its findings name)."""
    wanted = list(dict.fromkeys(shas))
    commits: tuple[FlaggedCommit, ...] = ()
    head = None
    if wanted or mode in ("staged", "pre-push", "range"):
        from leakstop import git

        if wanted:
            commits = _oldest_first(cwd, wanted)
        if mode != "pre-receive":
            head = (
                git.run(["rev-parse", "-q", "--verify", "HEAD"], cwd, check=False)
                .decode("ascii", "replace")
                .strip()
                or None
            )
    return Situation(
        mode=mode,
        ci=ci_system(environ),
        head=head,
        commits=commits,
        revision_range=revision_range,
    )
