"""The sweep itself: for each repository (in parallel), mirror or open it, scan the commits
not scanned before, merge with what earlier runs found, and remember the new state.

The work is in git processes, so a thread pool over repositories keeps the cores busy; the
`jobs` budget is shared: `workers` repositories at a time, each with `jobs // workers` git log
processes. A repository that fails is reported with its reason and the sweep goes on.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import Finding, Skipped
from leakstop.providers import all_rules
from leakstop.report.records import FindingRecord, SkippedRecord, of_finding, of_skipped
from leakstop.report.sweep_records import RepoStatus
from leakstop.sources.text import DEFAULT_MAX_BYTES
from leakstop.sweep import forge, state
from leakstop.sweep.cache import DEFAULT_TIMEOUT, Cache
from leakstop.sweep.targets import Target


@dataclass(frozen=True)
class SweepRequest:
    targets: Sequence[Target]
    cache: Cache
    jobs: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    rescan: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    say: Callable[[str], None] = lambda _line: None
    scheduler: str | None = None
    """A Dask scheduler's address: sweep on that cluster (leakstop.sweep.distributed)."""
    keep_keys: bool = True
    """Whether the results hold the keys found (for --verify/--rotate)."""


@dataclass
class RepoResult:
    target: Target
    status: RepoStatus = RepoStatus.OK
    reason: str | None = None
    root: Path | None = None
    """Where git reads the repository (the work tree, or the mirror)."""
    commits: int = 0
    """Commits scanned over all runs."""
    new_commits: int = 0
    """Commits scanned by this run."""
    files: int = 0
    bytes: int = 0
    records: list[FindingRecord] = field(default_factory=list)
    """Keyless report records named by the repository, earlier runs' included."""
    skipped: list[SkippedRecord] = field(default_factory=list)
    keys: dict[str, Finding] = field(default_factory=dict)
    """hashed_secret -> a finding of this run that still holds its key (for triage)."""
    commit_link: str | None = None


@dataclass
class Sweep:
    repositories: list[RepoResult]
    started: str
    seconds: float = 0.0


def sweep(request: SweepRequest) -> Sweep:
    """The sweep on this machine (`distributed.sweep_on` runs it on a Dask cluster)."""
    started = time.monotonic()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    targets = list(request.targets)
    jobs = max(1, request.jobs or os.cpu_count() or 1)
    workers = max(1, min(jobs, len(targets)))
    per_repo = max(1, jobs // workers)
    detector = Detector(all_rules())
    results: dict[int, RepoResult] = {}
    done, lock = 0, threading.Lock()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sweep") as pool:
        futures = {
            pool.submit(_sweep_one, target, request, detector, per_repo): index
            for index, target in enumerate(targets)
        }
        try:
            for future in as_completed(futures):
                result = future.result()
                with lock:
                    results[futures[future]] = result
                    done += 1
                    request.say(f"[{done}/{len(targets)}] {summary(result)}")
        except BaseException:  # Ctrl-C: clones and fetches run in their own sessions
            for future in futures:
                future.cancel()
            git.stop_remote_commands()
            raise
    return Sweep(
        repositories=[results[i] for i in range(len(targets))],
        started=stamp,
        seconds=round(time.monotonic() - started, 3),
    )


def summary(result: RepoResult) -> str:
    name = result.target.name
    if result.status == RepoStatus.FAILED:
        return f"{name}: FAILED: {result.reason}"
    if result.status == RepoStatus.EMPTY:
        return f"{name}: empty (no commits)"
    count = len(result.records)
    return (
        f"{name}: {result.new_commits} new commit(s) scanned, {result.commits} in all, "
        f"{count} finding(s)"
    )


def _sweep_one(target: Target, request: SweepRequest, detector: Detector, jobs: int) -> RepoResult:
    result = RepoResult(target)
    remembered = state.load(request.cache.state_path(target))
    try:
        with request.cache.locked(target):
            root, link = open_repository(target, request.cache, request.timeout)
            old = [] if request.rescan or remembered is None else remembered.tips
            scanned = scan_new(root, old, detector, jobs, request.max_bytes)
            scanned.commit_link = link
            settle(result, scanned, None if request.rescan else remembered, request.cache)
    except (LeakstopError, OSError) as exc:
        fail(result, safe_reason(exc), remembered)
    return result


@dataclass
class Scanned:
    """What scanning a repository's new commits found, built where the repository is (here,
    or on a Dask worker): keyless records, and the keys only when triage needs them."""

    root: Path | None
    """None on the client when the repository is on a worker (a remote's mirror)."""
    tips: list[str] = field(default_factory=list)
    commits: int = 0
    files: int = 0
    bytes: int = 0
    records: list[FindingRecord] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    keys: dict[str, Finding] = field(default_factory=dict)
    commit_link: str | None = None
    unreadable: list[Skipped] = field(default_factory=list)
    """Commits, blobs and tags that could not be read, each with its commit."""

    def add(self, part: Scanned) -> None:
        """Join the scan of another block of the same repository's commits (in block order,
        as one scan's processes are joined), ordered as scan_revisions orders findings."""
        self.commits += part.commits
        self.files += part.files
        self.bytes += part.bytes
        self.records = sorted([*self.records, *part.records], key=_scan_order)
        for path, why in part.skipped.items():
            self.skipped.setdefault(path, why)
        self.unreadable.extend(part.unreadable)
        for hashed, finding in part.keys.items():
            self.keys.setdefault(hashed, finding)


def _scan_order(record: FindingRecord) -> tuple[str, str, str, int]:
    return (record.date or "", record.commit or "", record.file, record.line or 0)


def open_repository(target: Target, cache: Cache, timeout: float) -> tuple[Path, str | None]:
    """Where git reads `target` (its mirror in `cache`, updated, for a remote) and its
    commit-link base."""
    if target.remote:
        return cache.mirror(target, timeout), forge.commit_link(target.location)
    root = local_root(Path(target.location))
    return root, forge.commit_link(_origin(root))


def scan_new(
    root: Path,
    old_tips: Sequence[str],
    detector: Detector,
    jobs: int,
    max_bytes: int,
    keep_keys: bool = True,
) -> Scanned:
    """Scan the commits reachable now and not from `old_tips`, and the tag messages."""
    from leakstop.sources.tags import annotated_tags

    tips, commits, lost = list_new(root, old_tips)
    tags = annotated_tags(root)  # few and small: read again on every run
    scanned = scan_commits(root, commits, detector, jobs, max_bytes, keep_keys, tags, lost)
    scanned.tips = tips
    return scanned


def list_new(root: Path, old_tips: Sequence[str]) -> tuple[list[str], list[str], list[Skipped]]:
    """The ref tips, the commits reachable from them and not from `old_tips`, and the
    commits that could not be read: a missing or damaged commit object makes the listing
    walk past it object by object (then everything readable is listed)."""
    from leakstop.sources.salvage import reachable_commits

    tips = sorted(ref_tips(root))
    try:
        return tips, new_commits(root, tips, old_tips), []
    except LeakstopError:
        lines, lost = reachable_commits(root, set())
        return tips, [line.split()[0].decode() for line in lines], lost


def scan_commits(
    root: Path,
    commits: Sequence[str],
    detector: Detector,
    jobs: int,
    max_bytes: int,
    keep_keys: bool = True,
    tags: Sequence[str] = (),
    lost: Sequence[Skipped] = (),
) -> Scanned:
    """Scan exactly `commits` (and the messages of the tag objects `tags`); an error if git
    showed fewer than it could read. `lost` names commits already known unreadable."""
    from leakstop.scan import findings_of
    from leakstop.sources.revisions import scan_revisions

    found = scan_revisions(
        root, [], detector, jobs=jobs, max_bytes=max_bytes, commits=commits, tags=tags
    )
    findings = findings_of(found.sightings)
    if found.commits + found.lost_commits < len(commits):
        raise LeakstopError(f"git showed {found.commits} of {len(commits)} commits")
    scanned = Scanned(
        root,
        commits=found.commits,
        files=found.files,
        bytes=found.bytes,
        records=[of_finding(f) for f in findings],
        skipped=dict(found.skipped),
        unreadable=[*found.unreadable, *lost],
    )
    if keep_keys:
        for finding in findings:
            scanned.keys.setdefault(finding.hashed_secret, finding)
    return scanned


def settle(
    result: RepoResult, scanned: Scanned, base: state.RepoState | None, cache: Cache
) -> None:
    """Fill `result` from this run's scan joined with what earlier runs found (`base`), and
    remember the new state in the client's `cache`."""
    target = result.target
    result.root, result.commit_link = scanned.root, scanned.commit_link
    fresh = [_named(r, target) for r in scanned.records]
    for hashed, finding in scanned.keys.items():
        result.keys.setdefault(hashed, finding)
    records = [_named(r, target) for r in base.findings] if base else []
    result.records = _unique([*records, *fresh])
    named = [SkippedRecord(path, why) for path, why in sorted(scanned.skipped.items())]
    unreadable = sorted(scanned.unreadable, key=lambda s: (s.file, s.commit or ""))
    skipped = [of_skipped(s) for s in unreadable]
    old_skipped = base.skipped if base else []
    all_skipped = _unique_skips([*old_skipped, *named, *skipped])
    result.skipped = [replace(s, repository=target.name) for s in all_skipped]
    result.new_commits = scanned.commits
    result.commits = (base.commits if base else 0) + scanned.commits
    result.files, result.bytes = scanned.files, scanned.bytes
    result.status = RepoStatus.OK if scanned.tips else RepoStatus.EMPTY
    state.save(
        cache.state_path(target),
        target.name,
        state.RepoState(
            tips=scanned.tips,
            commits=result.commits,
            findings=result.records,
            skipped=all_skipped,
        ),
    )


def fail(result: RepoResult, reason: str, remembered: state.RepoState | None) -> None:
    """Mark `result` failed; what earlier runs found is still true: keep listing it."""
    result.status = RepoStatus.FAILED
    result.reason = reason
    if remembered is not None:
        name = result.target.name
        result.records = [_named(r, result.target) for r in remembered.findings]
        result.skipped = [replace(s, repository=name) for s in remembered.skipped]
        result.commits = remembered.commits


def local_root(path: Path) -> Path:
    """`path` if it is a repository's top directory (or a bare repository), else an error."""
    if not path.is_dir():
        raise LeakstopError("no such directory" if not path.exists() else "not a directory")
    out = git.run(
        [
            "rev-parse",
            "--is-bare-repository",
            "--is-inside-git-dir",
            "--show-prefix",
            "--absolute-git-dir",
        ],
        path,
        check=False,
    )
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 4:
        raise LeakstopError("not a git repository")
    bare, inside, prefix, git_dir = lines
    if "true" in (bare, inside):
        if Path(git_dir).resolve() != path.resolve():
            raise LeakstopError(f"inside the git directory {git_dir}, not the repository itself")
    elif prefix:
        raise LeakstopError(f"the subdirectory {prefix.rstrip('/')} of a repository, not its top")
    return path


def _origin(root: Path) -> str | None:
    out = git.run(["config", "--get", "remote.origin.url"], root, check=False)
    return out.decode("utf-8", "replace").strip() or None


def ref_tips(root: Path) -> set[str]:
    """The commits all refs (and HEAD) point at, tags peeled."""
    out = git.run(["rev-list", "--no-walk", "--all"], root)
    return set(out.decode("ascii", "replace").split())


def new_commits(root: Path, tips: Sequence[str], old_tips: Sequence[str]) -> list[str]:
    """Commits reachable from `tips` but not from `old_tips` (old tips that no longer exist,
    after a force push and gc, are ignored: their commits that remain are scanned again)."""
    if not tips:
        return []
    lines = [*tips, *(f"^{sha}" for sha in old_tips)]
    out = git.run(
        ["rev-list", "--ignore-missing", "--stdin"], root, data=("\n".join(lines) + "\n").encode()
    )
    return out.decode("ascii", "replace").split()


def _named(record: FindingRecord, target: Target) -> FindingRecord:
    """`record` for `target`'s report (a copy: the remembered state stays unnamed)."""
    return replace(record, repository=target.name)


def finding_identity(record: FindingRecord) -> tuple[str | int | None, ...]:
    """What makes two records one finding (a later run's record of it may differ in its
    triage outcomes)."""
    return (
        record.commit,
        record.file,
        record.line,
        record.column,
        record.rule,
        record.hashed_secret,
    )


def _unique(records: list[FindingRecord]) -> list[FindingRecord]:
    seen: dict[tuple[str | int | None, ...], FindingRecord] = {}
    for record in records:
        seen.setdefault(finding_identity(record), record)
    return list(seen.values())


def _unique_skips(records: list[SkippedRecord]) -> list[SkippedRecord]:
    """One record per file and reason, unnamed (as the state keeps them)."""
    seen: dict[tuple[str, str], SkippedRecord] = {}
    for record in records:
        seen.setdefault((record.file, record.reason), replace(record, repository=None))
    return list(seen.values())


_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@")


def safe_reason(exc: BaseException) -> str:
    """A one-line reason without credentials (git may quote a URL it was given)."""
    if isinstance(exc, OSError):
        text = f"{exc.strerror or type(exc).__name__}" + (
            f": {exc.filename}" if exc.filename else ""
        )
    else:
        text = str(exc)
    return _CREDENTIALS.sub(r"\1", text.splitlines()[0] if text else "failed")
