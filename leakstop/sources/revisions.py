"""Scan the patches of a set of commits, with several git processes in parallel.

`git rev-list` names the commits; they are dealt round-robin to `jobs` `git log --stdin
--no-walk -p` processes (neighbouring commits have similar sizes, so the shares balance), and
one thread per process streams its output through a PatchStreamScanner. The threads spend
their time in pipe reads and C-level searches, so the git processes keep both cores busy.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import Sighting, Skipped
from leakstop.sources.blob_context import BlobContext
from leakstop.sources.objects import object_kinds
from leakstop.sources.patch_stream import COMMIT_FORMAT, PatchStreamScanner
from leakstop.sources.salvage import (
    WHOLE_COMMIT,
    Salvaged,
    missing,
    reachable_commits,
    salvage,
)
from leakstop.sources.tags import scan_tags
from leakstop.sources.text import DEFAULT_MAX_BYTES

LOG_OPTIONS = (
    "log",
    "--no-walk=unsorted",
    "--stdin",
    "-p",
    "--unified=0",
    "--cc",  # a merge shows only what it adds against all its parents
    "--find-renames",  # a moved file adds nothing, so keys keep their introducing commit
    "--no-color",
    "--full-index",  # whole blob ids, to read a change git called binary
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--ignore-submodules=all",
    COMMIT_FORMAT,
)
# git's caches in each log process (there are `jobs` of them, plus one for merges). git's
# defaults (a 96 MB delta-base cache, 1 GB pack windows) put the whole tree of a default
# (2-job) scan of sqlalchemy (24,062 commits, 220 MB of patches) at 438-477 MiB PSS, summed
# over leakstop and its git processes. Measured there, whole-tree PSS and CPU seconds:
#   defaults 438 MiB / 27 s;  32m cache 268 / 31;  16m cache 189 / 36;
#   48m cache + 16m windows, 64m mapped 255 / 31;  32m + same windows 209 / 32.
# The windows cost almost nothing; a smaller delta-base cache costs CPU (chains rebuilt).
LOG_CONFIG = (
    "core.deltaBaseCacheLimit=48m",
    "core.packedGitWindowSize=16m",
    "core.packedGitLimit=64m",
)
# A merge's combined diff with rename detection costs git several times more, and renames
# can only make it show fewer lines as new: without it a rare duplicate, never a miss.
MERGE_OPTIONS = tuple("--no-renames" if o == "--find-renames" else o for o in LOG_OPTIONS)
_CHUNK = 1 << 20
_BLOCK = 128
_MERGES = -1


def _widen_pipe(proc: subprocess.Popen[bytes]) -> None:
    """Let git write a whole chunk ahead while the reader scans the previous one (a 64 KB
    pipe would stall it); Linux only, and harmless where it is refused."""
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setter is not None and proc.stdout is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(proc.stdout.fileno(), setter, _CHUNK)


class RevisionScan:
    """What scanning the patches of many commits read: the detector's hits with their file
    and commit (the scan core makes them findings), what could not be read, and totals."""

    def __init__(self) -> None:
        self.sightings: list[Sighting] = []
        self.skipped: dict[str, str] = {}
        """Files not scanned (binary, too large), named once whatever the commit."""
        self.unreadable: list[Skipped] = []
        """What could not be read, each with its commit (or tag object)."""
        self.lost_commits = 0
        """Commits whose object could not be read at all (named in `unreadable`)."""
        self.commits = 0
        self.bytes = 0
        self.files = 0


Progress = Callable[[int, int, float, bool], None]
"""Called with (commits done, findings so far, seconds elapsed, whether this is the last)."""


def scan_revisions(
    root: Path,
    rev_list_args: Sequence[str],
    detector: Detector,
    jobs: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    commits: Sequence[str] | None = None,
    tags: Sequence[str] = (),
) -> RevisionScan:
    """Scan the commits `git rev-list REV_LIST_ARGS` names, or exactly `commits` if given
    (then `rev_list_args` is ignored), with their messages, and the messages of the tag
    objects `tags`."""
    pool = _Pool(root, detector, max(1, jobs or os.cpu_count() or 1), max_bytes)
    revs: subprocess.Popen[bytes] | None = None
    if commits is None:
        # --parents: merges are told apart and go to a process of their own (see deal).
        revs = git.spawn(["rev-list", "--parents", *rev_list_args], root)
        assert revs.stdout is not None
        lines: Iterable[bytes] = revs.stdout
    else:
        lines = (f"{sha}\n".encode() for sha in commits)
    started = time.monotonic()
    try:
        _run(pool, lines, progress, started)
        if revs is not None and revs.wait() != 0:
            _listing_failed(pool, revs, list(rev_list_args), progress, started)
        if not pool.errors:
            pool.recover()
    finally:
        pool.release(revs)
    if progress is not None:
        progress(pool.commits(), pool.finding_count(), time.monotonic() - started, True)
    if pool.errors:
        raise LeakstopError(pool.errors[0])
    result = _merge(pool.scanners)
    result.sightings.extend(pool.salvaged.sightings)
    for path, reason in pool.salvaged.skipped.items():
        result.skipped.setdefault(path, reason)
    result.unreadable.extend(pool.salvaged.unreadable)
    result.commits += pool.salvaged.commits
    result.files += pool.salvaged.files
    if result.unreadable and result.commits == 0:
        first = result.unreadable[0]
        raise LeakstopError(f"nothing could be read: {first.file}: {first.reason}")
    if tags:
        tagged = scan_tags(root, tags, detector)
        result.sightings.extend(tagged.sightings)
        result.unreadable.extend(tagged.skipped)
    result.lost_commits = pool.salvaged.lost
    _sort(result)
    return result


def rev_list_args(mode: str, revision_range: str | None, root: Path) -> list[str]:
    """The `git rev-list` arguments of `--history` (every ref) or `--range A..B` (checked:
    both sides must name commits of this repository)."""
    if mode == "history":
        return ["--all"]
    spec = revision_range or ""
    if ".." not in spec:
        raise LeakstopError(
            f"--range takes A..B (the commits in B that are not in A), got {spec!r}"
        )
    for side in spec.replace("...", "..").split(".."):
        if side and not git.resolves(root, side):
            raise LeakstopError(f"--range: {side!r} is not a commit in this repository")
    return [spec]


def _run(pool: _Pool, lines: Iterable[bytes], progress: Progress | None, started: float) -> None:
    """Deal `lines` to the pool and wait until every process has been read to its end."""
    feeder = threading.Thread(target=pool.deal, args=(lines,), daemon=True)
    feeder.start()
    while feeder.is_alive() or pool.running():
        feeder.join(timeout=0.5)
        pool.join(timeout=0.5)
        if progress is not None:
            progress(pool.commits(), pool.finding_count(), time.monotonic() - started, False)


def _listing_failed(
    pool: _Pool,
    revs: subprocess.Popen[bytes],
    rev_list_args: list[str],
    progress: Progress | None,
    started: float,
) -> None:
    """`git rev-list` stopped (a commit object is missing or damaged). For `--all`, the
    commits are listed again by walking the objects past the missing ones, and those not
    dealt yet are scanned; otherwise what was listed is all there is, and that is said."""
    stderr = revs.stderr.read() if revs.stderr is not None else b""
    if rev_list_args != ["--all"]:
        reason = f"not every commit could be listed (git rev-list: {git.first_line(stderr)})"
        pool.salvaged.unreadable.append(Skipped(WHOLE_COMMIT, reason))
        return
    lines, lost = reachable_commits(pool.root, pool.dealt_commits())
    pool.salvaged.unreadable.extend(lost)
    pool.salvaged.lost += len(lost)
    _run(pool, lines, progress, started)


class _Shas:
    """Commit ids in the order they were written to one process, kept as raw bytes (a large
    history has millions: 20 bytes each rather than an 80-byte object)."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._width = 0

    def append(self, sha: bytes) -> None:
        raw = bytes.fromhex(sha.decode("ascii"))
        self._width = len(raw)
        self._data += raw

    def hex(self) -> list[str]:
        width = self._width
        return [self._data[i : i + width].hex() for i in range(0, len(self._data), width or 1)]


class _Pool:
    """The git log processes and their reader threads. A process is started only when its
    first commit arrives: `git log --stdin` given no commit at all would show HEAD."""

    def __init__(self, root: Path, detector: Detector, jobs: int, max_bytes: int) -> None:
        self.root = root
        self.detector = detector
        self.jobs = jobs
        self.max_bytes = max_bytes
        self.procs: list[subprocess.Popen[bytes]] = []
        self.scanners: list[PatchStreamScanner] = []
        self.readers: list[threading.Thread] = []
        self.options: list[Sequence[str]] = []
        self.dealt: list[_Shas] = []
        """The commits written to each process, in order (its output follows that order)."""
        self.errors: list[str] = []
        self.salvaged = Salvaged()
        self._resumed: set[int] = set()
        """The processes `_resume` started."""
        self._streaks: dict[int, int] = {}
        """For a process `_resume` started: how many processes before it stopped at once."""
        self._checked = 0

    def deal(self, lines: Iterable[bytes]) -> None:
        """Deal commit ids to the log processes in blocks of neighbours (which share delta
        chains, so each process decodes less), merges to one process of their own, then
        close their input. Input lines are `sha [parent…]`."""
        slots: dict[int, int] = {}
        stopped: set[int] = set()
        try:
            for index, line in enumerate(lines):
                parts = line.split()
                if not parts:
                    continue
                slot = _MERGES if len(parts) > 2 else (index // _BLOCK) % self.jobs
                at = slots.get(slot)
                if at is None:
                    self._start(MERGE_OPTIONS if slot == _MERGES else LOG_OPTIONS)
                    at = slots[slot] = len(self.procs) - 1
                # Recorded even if the process has stopped: `recover` scans it then.
                self.dealt[at].append(parts[0])
                proc = self.procs[at]
                assert proc.stdin is not None
                if at not in stopped:
                    try:
                        proc.stdin.write(parts[0] + b"\n")
                    except BrokenPipeError:  # it could not read a commit: see `recover`
                        stopped.add(at)
        except LeakstopError as exc:
            self.errors.append(str(exc))
        finally:
            for proc in self.procs:
                with contextlib.suppress(BrokenPipeError):
                    assert proc.stdin is not None
                    proc.stdin.close()

    def _start(self, options: Sequence[str]) -> subprocess.Popen[bytes]:
        proc = git.spawn(options, self.root, stdin=True, config=LOG_CONFIG)
        _widen_pipe(proc)
        context = BlobContext(self.root, self.max_bytes)
        scanner = PatchStreamScanner(self.detector, self.max_bytes, context)
        reader = threading.Thread(target=self._drain, args=(proc, scanner), daemon=True)
        self.procs.append(proc)
        self.scanners.append(scanner)
        self.readers.append(reader)
        self.options.append(options)
        self.dealt.append(_Shas())
        reader.start()
        return proc

    def _drop_lost(self, dealt: list[str]) -> list[str]:
        """`dealt` without the commits whose object is missing (named as lost)."""
        kinds = object_kinds(self.root, dealt)
        kept = []
        for sha in dealt:
            if kinds.get(sha) == "commit":
                kept.append(sha)
            else:
                self.salvaged.lost += 1
                self.salvaged.unreadable.append(
                    Skipped(WHOLE_COMMIT, missing("commit", sha, sha), sha)
                )
        return kept

    def dealt_commits(self) -> set[str]:
        return {sha for shas in self.dealt for sha in shas.hex()}

    def recover(self) -> None:
        """For each `git log` process that stopped early (an object it needed is missing),
        scan the commit it stopped at object by object (`salvage`), and the commits after it
        with a new process, until all were scanned."""
        context: BlobContext | None = None
        try:
            while self._checked < len(self.procs):
                at = self._checked
                self._checked += 1
                proc = self.procs[at]
                code = proc.wait()
                if proc.stderr is not None:
                    proc.stderr.close()
                if code == 0:
                    continue
                if context is None:
                    context = BlobContext(self.root, self.max_bytes)
                self._resume(at, context)
        finally:
            if context is not None:
                context.close()

    def _resume(self, at: int, context: BlobContext) -> None:
        scanner, dealt = self.scanners[at], self.dealt[at].hex()
        seen = scanner.stats.commits
        # Its output stops in the middle of commit `seen` (its header was shown), or just
        # before commit `seen + 1` (its object could not be read): read the first object by
        # object, which also covers the second case, as the next process starts after it.
        if seen == 0:
            dealt = self._drop_lost(dealt)
            if not dealt:
                return
        stopped = max(0, seen - 1)
        if seen > 0:
            bad = dealt[stopped]
            scanner.sightings = [
                s for s in scanner.sightings if s.commit is None or s.commit.sha != bad
            ]
            scanner.stats.commits -= 1
        # A resumed process that stopped at once too: objects are missing in a run of
        # commits (versions of one large file, a partial clone offline). Each time that
        # happens again, twice as many commits are read object by object before git log
        # is restarted: a few restarts for a run of any length (restarting for each
        # commit would rewrite the rest of the list every time), and git log's speed back
        # as soon as the run ends (reading them all object by object costs a few git
        # processes per commit).
        streak = self._streaks.get(at, 0) + 1 if at in self._resumed and seen <= 1 else 0
        count = 2**streak
        for sha in dealt[stopped : stopped + count]:
            salvage(self.root, sha, self.detector, context, self.salvaged)
        rest = dealt[stopped + count :]
        if not rest:
            return
        proc = self._start(self.options[at])
        self._resumed.add(len(self.procs) - 1)
        self._streaks[len(self.procs) - 1] = streak
        assert proc.stdin is not None
        for sha in rest:  # first: if it stops at once, `recover` still knows what it had
            self.dealt[-1].append(sha.encode())
        try:
            proc.stdin.write("".join(f"{sha}\n" for sha in rest).encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass  # it stopped at once: resumed in turn by `recover`
        self.readers[-1].join()

    def release(self, revs: subprocess.Popen[bytes] | None) -> None:
        """End every git process of the scan (those still running only after an error) and
        close their pipes."""
        for proc in [*self.procs, *([revs] if revs is not None else [])]:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None and not pipe.closed:
                    with contextlib.suppress(OSError):
                        pipe.close()

    def _drain(self, proc: subprocess.Popen[bytes], scanner: PatchStreamScanner) -> None:
        assert proc.stdout is not None
        try:
            while chunk := proc.stdout.read(_CHUNK):
                scanner.feed(chunk)
            scanner.finish()
        except Exception as exc:  # surfaced as a one-line error by the caller
            self.errors.append(f"scanning git output failed ({type(exc).__name__})")
            proc.kill()
        finally:
            if scanner.context is not None:
                scanner.context.close()

    def running(self) -> bool:
        return any(reader.is_alive() for reader in self.readers)

    def join(self, timeout: float) -> None:
        for reader in list(self.readers):
            reader.join(timeout=timeout / max(1, len(self.readers)))

    def commits(self) -> int:
        return sum(s.stats.commits for s in self.scanners)

    def finding_count(self) -> int:
        return sum(len(s.sightings) for s in self.scanners)


def _merge(scanners: list[PatchStreamScanner]) -> RevisionScan:
    result = RevisionScan()
    for scanner in scanners:
        result.sightings.extend(scanner.sightings)
        for path, reason in scanner.skipped.items():
            result.skipped.setdefault(path, reason)
        result.commits += scanner.stats.commits
        result.bytes += scanner.stats.bytes
        result.files += scanner.stats.files
    return result


def _sort(result: RevisionScan) -> None:
    result.sightings.sort(
        key=lambda s: (
            s.commit.date if s.commit else "",
            s.commit.sha if s.commit else "",
            s.path,
            s.hit.line,
        )
    )


def terminal_progress() -> Progress | None:
    """A progress line on stderr when it is a terminal, ended by a newline when the scan
    is; None (silence) otherwise."""
    out = sys.stderr
    if not out.isatty():
        return None

    def show(commits: int, findings: int, seconds: float, last: bool) -> None:
        rate = commits / seconds if seconds > 0 else 0.0
        out.write(f"\rleakstop: {commits} commits, {rate:,.0f}/s, {findings} findings so far")
        out.write("\n" if last else "")
        out.flush()

    return show
