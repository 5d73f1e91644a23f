"""All of leakstop's git access: plain `git` subprocesses, streamed where output is large.

GitPython is not used on the hot path: a subprocess with a pipe starts faster, streams, and
keeps memory flat however large the diff.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from leakstop.errors import LeakstopError

# Options that make git's output independent of the user's configuration.
STABLE_OPTIONS = ("-c", "core.quotePath=false", "-c", "color.ui=false", "-c", "diff.noprefix=false")


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C")
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def run(args: Sequence[str], cwd: Path, *, check: bool = True, data: bytes | None = None) -> bytes:
    """Run a git command whose output is small (with `data` on its stdin, for revision
    lists too long for argv); a failure becomes a LeakstopError."""
    try:
        proc = subprocess.run(
            ["git", *STABLE_OPTIONS, *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            env=environment(),
            check=False,
        )
    except FileNotFoundError as exc:
        raise LeakstopError("git is not installed or not on PATH") from exc
    if check and proc.returncode != 0:
        raise LeakstopError(f"git {args[0]} failed: {first_line(proc.stderr)}")
    return proc.stdout


def stream(args: Sequence[str], cwd: Path) -> Iterator[bytes]:
    """Yield git's output line by line (bytes, newline kept) without loading it whole."""
    try:
        proc = subprocess.Popen(
            ["git", *STABLE_OPTIONS, *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment(),
            bufsize=1 << 16,
        )
    except FileNotFoundError as exc:
        raise LeakstopError("git is not installed or not on PATH") from exc
    assert proc.stdout is not None and proc.stderr is not None
    try:
        yield from proc.stdout
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise LeakstopError(f"git {args[0]} failed: {first_line(stderr)}")


def repo_root(cwd: Path) -> Path | None:
    """The work tree's top directory, or None outside a repository."""
    try:
        out = run(["rev-parse", "--show-toplevel"], cwd, check=False)
    except LeakstopError:
        raise
    root = out.decode("utf-8", "surrogateescape").strip()
    return Path(root) if root else None


def require_repo(cwd: Path, what: str, root: Path | None = None) -> Path:
    """The work tree's top directory (`root` if already known), or a one-line error."""
    root = root or repo_root(cwd)
    if root is None:
        raise LeakstopError(f"{what} needs a git repository, and {cwd} is not inside one")
    return root


def tracked_files(root: Path) -> list[str]:
    out = run(["ls-files", "-z", "--cached", "--full-name"], root)
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return "no error message"


def resolves(root: Path, revision: str) -> bool:
    """Whether `revision` names a commit here (never treated as an option)."""
    if revision.startswith("-"):
        return False
    out = run(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
        root,
        check=False,
    )
    return bool(out.strip())


def succeeds(args: Sequence[str], cwd: Path) -> bool:
    """Whether a git command exits 0 (for yes/no questions such as check-ignore)."""
    try:
        proc = subprocess.run(
            ["git", *STABLE_OPTIONS, *args], cwd=cwd, capture_output=True, env=environment()
        )
    except FileNotFoundError as exc:
        raise LeakstopError("git is not installed or not on PATH") from exc
    return proc.returncode == 0


def is_ignored(root: Path, path: Path) -> bool:
    return succeeds(["check-ignore", "-q", "--no-index", "--", str(path)], root)


def is_tracked(root: Path, path: Path) -> bool:
    return succeeds(["ls-files", "--error-unmatch", "--", str(path)], root)


REMOTE_PROTOCOLS = "file:git:http:https:ssh"
_REMOTE_COMMANDS: set[subprocess.Popen[bytes]] = set()


def run_remote(args: Sequence[str], cwd: Path, timeout: float) -> None:
    """A git command that talks to a remote (clone, remote update): no prompt (no stdin, no
    controlling terminal: its own session), only the usual transports (never `ext::`), and
    at most `timeout` seconds, after which it is killed with its helpers (ssh, git-remote-*).
    Being in its own session, Ctrl-C does not reach it: `stop_remote_commands` does."""
    import signal

    env = environment()
    env["GIT_ALLOW_PROTOCOL"] = REMOTE_PROTOCOLS
    try:
        proc = subprocess.Popen(
            ["git", *STABLE_OPTIONS, *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise LeakstopError("git is not installed or not on PATH") from exc
    _REMOTE_COMMANDS.add(proc)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise LeakstopError(f"git {args[0]} took longer than {timeout:g} s") from None
    finally:
        _REMOTE_COMMANDS.discard(proc)
    if proc.returncode == -signal.SIGKILL:
        raise LeakstopError(f"git {args[0]} was stopped")
    if proc.returncode != 0:
        raise LeakstopError(f"git {args[0]} failed: {first_line(stderr)}")


def stop_remote_commands() -> None:
    """Kill every running `run_remote` command with its helpers (on Ctrl-C)."""
    import signal

    for proc in list(_REMOTE_COMMANDS):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


class BlobReader:
    """One long-lived `git cat-file --batch` process: reads objects by name (`sha`,
    `commit:path`) without a process per object. Not thread-safe: one per thread."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._proc: subprocess.Popen[bytes] | None = None

    def read(self, name: str, limit: int) -> bytes | None:
        """The object's content, or None if it is missing, not a blob, or over `limit`."""
        if "\n" in name:
            return None  # the batch protocol is line based
        proc = self._process()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) != 3:  # "<name> missing" / "ambiguous"
            return None
        size = int(header[2])
        data = _read_exactly(proc.stdout, size)
        proc.stdout.read(1)  # the newline after the content
        if header[1] != b"blob" or size > limit:
            return None
        return data

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", *STABLE_OPTIONS, "cat-file", "--batch"],
                cwd=self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=environment(),
            )
        return self._proc

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.close()
            self._proc.stdout.close()
            self._proc.wait()
            self._proc = None


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        part = stream.read(min(left, 1 << 20))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
