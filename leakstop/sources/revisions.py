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
from leakstop.findings import Finding, Skipped
from leakstop.sources.blob_context import BlobContext
from leakstop.sources.patch_stream import COMMIT_FORMAT, PatchStreamScanner
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
    "-c", "core.deltaBaseCacheLimit=48m",
    "-c", "core.packedGitWindowSize=16m",
    "-c", "core.packedGitLimit=64m",
)  # fmt: skip
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
    """The outcome of scanning the patches of many commits."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.skipped: dict[str, str] = {}
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
) -> RevisionScan:
    """Scan the commits `git rev-list REV_LIST_ARGS` names, or exactly `commits` if given
    (then `rev_list_args` is ignored)."""
    pool = _Pool(root, detector, max(1, jobs or os.cpu_count() or 1), max_bytes)
    revs: subprocess.Popen[bytes] | None = None
    if commits is None:
        # --parents: merges are told apart and go to a process of their own (see deal).
        revs = _spawn(
            ["git", *git.STABLE_OPTIONS, "rev-list", "--parents", *rev_list_args],
            root,
            stdin=False,
        )
        assert revs.stdout is not None
        lines: Iterable[bytes] = revs.stdout
    else:
        lines = (f"{sha}\n".encode() for sha in commits)
    feeder = threading.Thread(target=pool.deal, args=(lines,), daemon=True)
    feeder.start()
    started = time.monotonic()
    while feeder.is_alive() or pool.running():
        feeder.join(timeout=0.5)
        pool.join(timeout=0.5)
        if progress is not None:
            progress(pool.commits(), pool.finding_count(), time.monotonic() - started, False)
    if progress is not None:
        progress(pool.commits(), pool.finding_count(), time.monotonic() - started, True)
    if revs is not None:
        pool.check(revs, "rev-list")
    for proc in pool.procs:
        pool.check(proc, "log")
    if pool.errors:
        raise LeakstopError(pool.errors[0])
    return _merge(pool.scanners)


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
        self.errors: list[str] = []

    def deal(self, lines: Iterable[bytes]) -> None:
        """Deal commit ids to the log processes in blocks of neighbours (which share delta
        chains, so each process decodes less), merges to one process of their own, then
        close their input. Input lines are `sha [parent…]`."""
        slots: dict[int, subprocess.Popen[bytes]] = {}
        try:
            for index, line in enumerate(lines):
                parts = line.split()
                if not parts:
                    continue
                slot = _MERGES if len(parts) > 2 else (index // _BLOCK) % self.jobs
                proc = slots.get(slot)
                if proc is None:
                    proc = slots[slot] = self._start(
                        MERGE_OPTIONS if slot == _MERGES else LOG_OPTIONS
                    )
                assert proc.stdin is not None
                proc.stdin.write(parts[0] + b"\n")
        except BrokenPipeError:
            self.errors.append("git log stopped reading its commit list")
        except LeakstopError as exc:
            self.errors.append(str(exc))
        finally:
            for proc in self.procs:
                with contextlib.suppress(BrokenPipeError):
                    assert proc.stdin is not None
                    proc.stdin.close()

    def _start(self, options: Sequence[str]) -> subprocess.Popen[bytes]:
        proc = _spawn(["git", *git.STABLE_OPTIONS, *LOG_CONFIG, *options], self.root)
        _widen_pipe(proc)
        context = BlobContext(self.root, self.max_bytes)
        scanner = PatchStreamScanner(self.detector, self.max_bytes, context)
        reader = threading.Thread(target=self._drain, args=(proc, scanner), daemon=True)
        self.procs.append(proc)
        self.scanners.append(scanner)
        self.readers.append(reader)
        reader.start()
        return proc

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
        return sum(len(s.findings) for s in self.scanners)

    def check(self, proc: subprocess.Popen[bytes], name: str) -> None:
        code = proc.wait()
        stderr = proc.stderr.read() if proc.stderr is not None else b""
        if code != 0 and not self.errors:
            self.errors.append(f"git {name} failed: {git.first_line(stderr)}")


def _spawn(argv: list[str], root: Path, stdin: bool = True) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            argv,
            cwd=root,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=git.environment(),
        )
    except FileNotFoundError as exc:
        raise LeakstopError("git is not installed or not on PATH") from exc


def _merge(scanners: list[PatchStreamScanner]) -> RevisionScan:
    result = RevisionScan()
    for scanner in scanners:
        result.findings.extend(scanner.findings)
        for path, reason in scanner.skipped.items():
            result.skipped.setdefault(path, reason)
        result.commits += scanner.stats.commits
        result.bytes += scanner.stats.bytes
        result.files += scanner.stats.files
    result.findings.sort(
        key=lambda f: (
            f.commit.date if f.commit else "",
            f.commit.sha if f.commit else "",
            f.file,
            f.line,
        )
    )
    return result


def skipped_list(scan: RevisionScan) -> list[Skipped]:
    return [Skipped(path, reason) for path, reason in sorted(scan.skipped.items())]


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
