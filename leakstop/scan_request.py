"""From a scan request (mode, paths, baseline) to a ScanResult: the core behind `scan`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from leakstop.detect.engine import Block
from leakstop.errors import LeakstopError
from leakstop.findings import ScanResult, Skipped
from leakstop.scanner import scan
from leakstop.sources import git
from leakstop.sources.text import DEFAULT_MAX_BYTES
from leakstop.suppress.baseline import DEFAULT_NAME, Baseline


@dataclass(frozen=True)
class ScanRequest:
    cwd: Path
    mode: str = "files"
    paths: tuple[str, ...] = ()
    baseline: Path | None = None
    use_baseline: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES


def run(request: ScanRequest) -> ScanResult:
    if not request.cwd.is_dir():
        raise LeakstopError(f"not a directory: {request.cwd}")
    root = git.repo_root(request.cwd)
    items = _source(request, root)
    return scan(items, request.mode, baseline=_baseline(request, root))


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
