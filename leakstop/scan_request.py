"""From a scan request (mode, paths, range, baseline) to a ScanResult: the core of `scan`."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from leakstop import git
from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import Block, ScanResult, ScanStats, Skipped
from leakstop.providers import all_rules
from leakstop.scanner import apply_baseline, scan
from leakstop.sources.text import DEFAULT_MAX_BYTES
from leakstop.suppress.baseline import DEFAULT_NAME, Baseline
from leakstop.suppress.pragma import pragmas_trusted
from leakstop.suppress.trusted import path_in_work_tree, range_base, trusted_baseline

COMMIT_MODES = ("range", "history")
PUSH_MODES = ("pre-push", "pre-receive")


@dataclass(frozen=True)
class ScanRequest:
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
        from leakstop.sources.tags import annotated_tags

        # Commits need no work tree: a bare repository (a mirror, a server) is scanned too.
        repo = root or git_directory(request.cwd)
        rev_args = _rev_list_args(request, repo)
        tags = annotated_tags(repo) if request.mode == "history" else []
        if request.mode == "range":
            base = range_base(repo, rev_args[0])
            baseline = _trusted_baseline(request, repo, root, [[base] if base else []])
        else:
            baseline = _baseline(request, root)
        return _scan_commits(request, repo, rev_args, baseline, detector, tags=tags)
    return scan(_source(request, root), request.mode, _baseline(request, root), detector)


def _rev_list_args(request: ScanRequest, root: Path) -> list[str]:
    if request.mode == "history":
        return ["--all"]
    spec = request.revision_range or ""
    if ".." not in spec:
        raise LeakstopError(
            f"--range takes A..B (the commits in B that are not in A), got {spec!r}"
        )
    for side in spec.replace("...", "..").split(".."):
        if side and not git.resolves(root, side):
            raise LeakstopError(f"--range: {side!r} is not a commit in this repository")
    return [spec]


def _scan_push(request: ScanRequest, root: Path | None, detector: Detector) -> ScanResult:
    """The commits a push sends (pre-push) or brings (pre-receive), each scanned once."""
    from leakstop.sources import push

    stdin = request.stdin if request.stdin is not None else sys.stdin
    repo = push.git_directory(request.cwd)
    if request.mode == "pre-receive":
        updates = push.pre_receive_input(stdin)
        plan = push.received_commits(repo, updates)
        # The server's current value of each ref; a new ref: the default branch.
        sides = [[u.old] if not u.creates else ["HEAD"] for u in updates if not u.deletes]
    else:
        environ = request.environ if request.environ is not None else os.environ
        updates, remote = push.pre_push_input(request.remote, stdin, environ)
        plan = push.pushed_commits(repo, updates, remote)
        # What the remote has: the ref's current tip there, else (a new ref, or a tip this
        # clone lacks) the remote's default branch as last fetched.
        default = [f"refs/remotes/{remote}/HEAD"] if remote else []
        sides = [([u.old] if not u.creates else []) + default for u in updates if not u.deletes]
    if request.note is not None:
        for remark in plan.notes:
            request.note(remark)
    baseline = _trusted_baseline(request, repo, root, sides)
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
    from leakstop.sources.revisions import scan_revisions, skipped_list, terminal_progress

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
    result = ScanResult(
        stats=ScanStats(
            mode=mode or request.mode,
            commits=scanned.commits,
            files=scanned.files,
            bytes=scanned.bytes,
        ),
        skipped=skipped_list(scanned),
    )
    apply_baseline(result, scanned.findings, baseline)
    result.stats.seconds = round(time.monotonic() - started, 3)
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


def _baseline(request: ScanRequest, root: Path | None) -> Baseline:
    """The checkout's own baseline (files, staged, history: the owner's repository)."""
    if not request.use_baseline:
        return Baseline.empty()
    if request.baseline is not None:
        path = (
            request.baseline if request.baseline.is_absolute() else request.cwd / request.baseline
        )
        if not path.is_file():
            raise LeakstopError(f"baseline not found: {request.baseline}")
        return Baseline.load(path)
    default = (root or request.cwd) / DEFAULT_NAME
    return Baseline.load(default) if default.is_file() else Baseline.empty()


def _trusted_baseline(
    request: ScanRequest, repo: Path, root: Path | None, sides: list[list[str]]
) -> Baseline:
    """For new commits: an operator's `--baseline` outside the work tree as given; otherwise
    the baseline (the default one, or the `--baseline` path inside the work tree) as it is on
    the trusted side, never as the scanned commits or their checkout have it."""
    if not request.use_baseline:
        return Baseline.empty()
    path = DEFAULT_NAME
    if request.baseline is not None:
        inside = path_in_work_tree(root, request.cwd, request.baseline)
        if inside is None:
            return _baseline(request, root)
        path = inside
    baseline = trusted_baseline(repo, sides, path, request.note, named=request.baseline is not None)
    operator = repo / DEFAULT_NAME
    if request.baseline is None and root is None and operator.is_file():
        # A server's bare repository: its own directory is the administrator's, not a pusher's.
        baseline = baseline | Baseline.load(operator)
    return baseline
