"""The scan core: from a scan request (mode, paths, range, push, baseline) to a ScanResult.

Every mode goes the same way: a source reads (files, the index, commits), the detector finds
hits, the core makes each hit a Finding, drops (and counts) those the baseline accepts, and
fills the totals. Files and the index yield blocks, which the core runs through the detector;
commit sources run the detector inside their parallel git readers, where the speed of a
history scan is won, and yield sightings: hits with their file and commit.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from leakstop import git
from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import (
    Block,
    CommitInfo,
    Finding,
    Hit,
    ScanResult,
    ScanStats,
    Sighting,
    Skipped,
)
from leakstop.providers import all_rules
from leakstop.scan_baseline import checkout_baseline, trusted_side_baseline
from leakstop.sources.text import DEFAULT_MAX_BYTES
from leakstop.suppress.baseline import Baseline
from leakstop.suppress.pragma import pragmas_trusted
from leakstop.suppress.trusted import range_base

if TYPE_CHECKING:
    from leakstop.sources.revisions import RevisionScan

COMMIT_MODES = ("range", "history")
PUSH_MODES = ("pre-push", "pre-receive")


@dataclass(frozen=True)
class ScanRequest:
    """What to scan (a mode and its inputs) and how (baseline, limits, pragmas)."""

    cwd: Path
    mode: str = "files"
    paths: tuple[str, ...] = ()
    revision_range: str | None = None
    baseline: Path | None = None
    use_baseline: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    jobs: int | None = None
    progress: bool = False
    remote: str | None = None
    """pre-push: the remote's name (or URL) git passes to the hook."""
    stdin: TextIO | None = None
    """pre-push / pre-receive: the hook's input lines [default: sys.stdin]."""
    environ: Mapping[str, str] | None = None
    """pre-push: where PRE_COMMIT_* variables are read [default: os.environ]."""
    note: Callable[[str], None] | None = None
    """Receives remarks for the user (shallow clone, missing base); silence if None."""
    trust_pragmas: bool | None = None
    """Whether inline allowlist pragmas suppress findings [default: LEAKSTOP_TRUST_PRAGMAS,
    else yes except for new commits: range, pre-push, pre-receive]."""


def run(request: ScanRequest) -> ScanResult:
    """Scan what `request` names; a one-line LeakstopError for what cannot be scanned."""
    if not request.cwd.is_dir():
        raise LeakstopError(f"not a directory: {request.cwd}")
    root = git.repo_root(request.cwd)
    environ = request.environ if request.environ is not None else os.environ
    detector = Detector(
        all_rules(), pragmas=pragmas_trusted(request.mode, request.trust_pragmas, environ)
    )
    if request.mode in PUSH_MODES:
        return _scan_push(request, root, detector)
    if request.mode in COMMIT_MODES:
        from leakstop.sources.push import git_directory
        from leakstop.sources.revisions import rev_list_args
        from leakstop.sources.tags import annotated_tags

        # Commits need no work tree: a bare repository (a mirror, a server) is scanned too.
        repo = root or git_directory(request.cwd)
        rev_args = rev_list_args(request.mode, request.revision_range, repo)
        tags = annotated_tags(repo) if request.mode == "history" else []
        if request.mode == "range":
            base = range_base(repo, rev_args[0])
            baseline = _trusted_baseline(request, repo, root, [[base] if base else []])
        else:
            baseline = _checkout_baseline(request, root)
        return _scan_commits(request, repo, rev_args, baseline, detector, tags=tags)
    return _scan_blocks(
        _source(request, root), request.mode, _checkout_baseline(request, root), detector
    )


def finding(hit: Hit, path: str, commit: CommitInfo | None = None) -> Finding:
    """The finding of one hit: the one place every mode's findings are made."""
    return Finding(
        rule=hit.rule,
        file=path,
        line=hit.line,
        column=hit.column,
        secret=hit.secret,
        commit=commit,
        confidence=hit.confidence,
    )


def findings_of(sightings: Iterable[Sighting]) -> list[Finding]:
    return [finding(s.hit, s.path, s.commit) for s in sightings]


def _scan_blocks(
    items: Iterable[Block | Skipped], mode: str, baseline: Baseline, detector: Detector
) -> ScanResult:
    """Files and the index: each block through the detector."""
    started = time.monotonic()
    stats = ScanStats(mode=mode)
    paths: set[str] = set()
    found: list[Finding] = []
    skipped: list[Skipped] = []
    for item in items:
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        paths.add(item.path)
        stats.bytes += len(item.text)
        found.extend(finding(hit, item.path) for hit in detector.scan(item))
    stats.files = len(paths)
    return _result(stats, found, skipped, baseline, started)


def _scan_commits(
    request: ScanRequest,
    root: Path,
    rev_args: list[str],
    baseline: Baseline,
    detector: Detector,
    commits: Sequence[str] | None = None,
    mode: str | None = None,
    tags: Sequence[str] = (),
) -> ScanResult:
    """Commits (a range, a push, the history): their patches and messages, and the messages
    of the tag objects `tags`."""
    from leakstop.sources.revisions import scan_revisions, terminal_progress

    started = time.monotonic()
    scanned = scan_revisions(
        root,
        rev_args,
        detector,
        jobs=request.jobs,
        max_bytes=request.max_bytes,
        progress=terminal_progress() if request.progress else None,
        commits=commits,
        tags=tags,
    )
    stats = ScanStats(
        mode=mode or request.mode,
        commits=scanned.commits,
        files=scanned.files,
        bytes=scanned.bytes,
    )
    return _result(stats, findings_of(scanned.sightings), _skipped(scanned), baseline, started)


def _skipped(scanned: RevisionScan) -> list[Skipped]:
    """Files skipped for their content named once, then what could not be read."""
    named = [Skipped(path, reason) for path, reason in sorted(scanned.skipped.items())]
    return named + sorted(scanned.unreadable, key=lambda s: (s.file, s.commit or ""))


def _result(
    stats: ScanStats,
    found: Iterable[Finding],
    skipped: list[Skipped],
    baseline: Baseline,
    started: float,
) -> ScanResult:
    """The result of every mode: findings the baseline accepts are counted, not listed."""
    result = ScanResult(stats=stats, skipped=skipped)
    for item in found:
        if baseline.accepts(item.file, item.hashed_secret):
            result.suppressed += 1
        else:
            result.findings.append(item)
    stats.seconds = round(time.monotonic() - started, 3)
    return result


def _scan_push(request: ScanRequest, root: Path | None, detector: Detector) -> ScanResult:
    """The commits a push sends (pre-push) or brings (pre-receive), each scanned once."""
    from leakstop.sources.push import incoming

    stdin = request.stdin if request.stdin is not None else sys.stdin
    environ = request.environ if request.environ is not None else os.environ
    repo, plan = incoming(request.mode, request.cwd, request.remote, stdin, environ)
    if request.note is not None:
        for remark in plan.notes:
            request.note(remark)
    baseline = _trusted_baseline(request, repo, root, plan.trusted)
    # Both hooks check the same thing, the commits being pushed: one report mode for both.
    result = _scan_commits(
        request,
        repo,
        [],
        baseline,
        detector,
        commits=plan.commits,
        mode="pre-push",
        tags=plan.tags,
    )
    if plan.commits and result.stats.commits == 0:
        raise LeakstopError(
            f"git showed none of the {len(plan.commits)} pushed commit(s); refusing to pass "
            "a push that was not scanned"
        )
    return result


def _source(request: ScanRequest, root: Path | None) -> Iterable[Block | Skipped]:
    from leakstop.sources import files

    if request.mode == "staged":
        from leakstop.sources.staged import staged

        return staged(git.require_repo(request.cwd, "--staged", root), request.max_bytes)
    if request.paths:
        return files.given(request.paths, request.cwd, root, request.max_bytes)
    if root is not None:
        return files.tracked(root, request.max_bytes)
    if git.run(["rev-parse", "--is-inside-git-dir"], request.cwd, check=False).strip() == b"true":
        # A bare repository or a .git directory: its files are git's, not the project's.
        raise LeakstopError(
            f"{request.cwd} is a git directory with no work tree: scan its commits with --history"
        )
    return files.given(["."], request.cwd, None, request.max_bytes)


def _checkout_baseline(request: ScanRequest, root: Path | None) -> Baseline:
    return checkout_baseline(request.use_baseline, request.baseline, request.cwd, root)


def _trusted_baseline(
    request: ScanRequest, repo: Path, root: Path | None, sides: list[list[str]]
) -> Baseline:
    return trusted_side_baseline(
        request.use_baseline, request.baseline, request.cwd, repo, root, sides, request.note
    )
