"""From a scan request (mode, paths, range, baseline) to a ScanResult: the core of `scan`."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from leakstop.detect.engine import Block, Detector
from leakstop.errors import LeakstopError
from leakstop.findings import ScanResult, ScanStats, Skipped
from leakstop.providers import all_rules
from leakstop.scanner import apply_baseline, scan
from leakstop.sources import git
from leakstop.sources.text import DEFAULT_MAX_BYTES
from leakstop.suppress.baseline import DEFAULT_NAME, Baseline

COMMIT_MODES = ("range", "history")


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


def run(request: ScanRequest) -> ScanResult:
    if not request.cwd.is_dir():
        raise LeakstopError(f"not a directory: {request.cwd}")
    root = git.repo_root(request.cwd)
    baseline = _baseline(request, root)
    if request.mode in COMMIT_MODES:
        repo = git.require_repo(request.cwd, f"--{request.mode}")
        return _scan_commits(request, repo, _rev_list_args(request, repo), baseline)
    return scan(_source(request, root), request.mode, baseline=baseline)


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


def _scan_commits(
    request: ScanRequest, root: Path, rev_args: list[str], baseline: Baseline
) -> ScanResult:
    from leakstop.sources.revisions import scan_revisions, skipped_list, terminal_progress

    started = time.monotonic()
    scanned = scan_revisions(
        root,
        rev_args,
        Detector(all_rules()),
        jobs=request.jobs,
        max_bytes=request.max_bytes,
        progress=terminal_progress() if request.progress else None,
    )
    result = ScanResult(
        stats=ScanStats(
            mode=request.mode,
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

        return staged(git.require_repo(request.cwd, "--staged"), request.max_bytes)
    if request.paths:
        return files.given(request.paths, request.cwd, root, request.max_bytes)
    if root is not None:
        return files.tracked(root, request.max_bytes)
    return files.given(["."], request.cwd, None, request.max_bytes)


def _baseline(request: ScanRequest, root: Path | None) -> Baseline:
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
