"""Every git process leakstop starts, through one function that applies one set of protections.

A scanned repository is untrusted input: its `.git/config` (and anything it includes) may name
programs for git to run (fsmonitor, pagers, diff drivers, textconv, gpg, hooks, credential
helpers, ssh commands, upload-pack) or settings that would hide text from the scan (relative
diffs, no root commit diff, replace refs, grafts, a lying commit-graph). `_start` is the only
place that starts git; it puts the protections below on every command line, so no caller can
forget one. docs/security.md lists them and says why each is there.

GitPython is not used: a subprocess with a pipe starts faster, streams, keeps memory flat, and
lets this one function own the command line (GitPython builds its own).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from leakstop.errors import LeakstopError
from leakstop.lazy_pattern import LazyPattern

# Settings that make git's output independent of the user's and the repository's configuration.
STABLE_CONFIG = (
    "core.quotePath=false",
    "color.ui=false",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.srcPrefix=a/",
    "diff.dstPrefix=b/",
    "diff.relative=false",  # a relative diff would hide every file outside one directory
    "log.showRoot=true",  # without it the first commit's files are never shown
    "core.bigFileThreshold=512m",  # lower, every file would be "binary" and unshown
    "i18n.logOutputEncoding=UTF-8",
    "advice.graftFileDeprecated=false",  # GIT_GRAFT_FILE=/dev/null would print it on each run
)
# Settings through which a repository's configuration could run a program or reach the network.
PROTECTIVE_CONFIG = (
    "core.fsmonitor=false",  # a program git runs to list changed files
    "core.hooksPath=/dev/null",  # hooks: no directory, no hook
    "core.pager=cat",
    "log.showSignature=false",  # signature checks run gpg.program
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "diff.external=",
    "credential.helper=",  # an empty value clears the list of helpers
    "core.askPass=",
    "core.sshCommand=false",
    "core.gitProxy=false",
    "core.alternateRefsCommand=",
    "core.commitGraph=false",  # a crafted commit-graph could hide parents from the walk
    "protocol.allow=never",  # local commands never fetch (a partial clone's lazy fetch)
    "gc.auto=0",
    "maintenance.auto=false",
)
# Remote commands (clone and update of leakstop's own mirrors) keep the user's credential
# helpers and ssh command: they run in a cache leakstop made, never in a scanned repository.
REMOTE_PROTECTIVE_CONFIG = tuple(
    setting
    for setting in PROTECTIVE_CONFIG
    if not setting.startswith(("credential.", "core.askPass", "core.sshCommand", "protocol."))
)
REMOTE_PROTOCOLS = "file:git:http:https:ssh"
# Subcommands that can produce a diff: external diff drivers and textconv filters are refused
# on their command line too, in case a setting we do not know of turns them back on.
_DIFF_COMMANDS = frozenset({"diff", "log", "show", "diff-tree", "diff-index", "diff-files"})
_LOG_COMMANDS = frozenset({"log", "show"})
# Variables of the user's environment that would make git run a program or use a transport;
# a command on a scanned repository needs none of them (a remote one keeps the askpass helpers).
_DROPPED_ENV = ("GIT_EXTERNAL_DIFF", "GIT_PAGER")
_DROPPED_LOCAL_ENV = ("GIT_ASKPASS", "SSH_ASKPASS", "GIT_SSH_COMMAND")


_DUBIOUS = LazyPattern(r"dubious ownership in repository at '(?P<path>.*)'")
"""git's refusal of a repository someone else owns (compiled only when git refuses)."""


def _config_options(settings: Sequence[str]) -> list[str]:
    return [part for setting in settings for part in ("-c", setting)]


def command(
    args: Sequence[str],
    *,
    remote: bool = False,
    hooks: bool = False,
    config: Sequence[str] = (),
) -> list[str]:
    """The full argv for `git ARGS` with the protections applied; `config` adds settings
    of the caller's own (tuning such as cache sizes), before the protections."""
    protective = REMOTE_PROTECTIVE_CONFIG if remote else PROTECTIVE_CONFIG
    if hooks:  # only for repositories leakstop made itself (the demo)
        protective = tuple(s for s in protective if not s.startswith("core.hooksPath"))
    argv = [
        "git",
        "--no-pager",
        "--no-replace-objects",  # replace refs could show other content than was committed
        *_config_options(config),
        *_config_options(STABLE_CONFIG),
        *_config_options(protective),
    ]
    if not args:
        return argv
    sub, rest = args[0], list(args[1:])
    extra: list[str] = []
    if sub in _DIFF_COMMANDS:
        extra += ["--no-ext-diff", "--no-textconv"]
    if sub in _LOG_COMMANDS:
        extra.append("--no-show-signature")
    return [*argv, sub, *extra, *rest]


def environment(*, remote: bool = False, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for name in _DROPPED_ENV if remote else _DROPPED_ENV + _DROPPED_LOCAL_ENV:
        env.pop(name, None)
    env.setdefault("LC_ALL", "C")
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_GRAFT_FILE"] = os.devnull  # grafts could cut history out of the walk
    env["GIT_OPTIONAL_LOCKS"] = "0"  # reading never rewrites the scanned repository's index
    env["GIT_NO_LAZY_FETCH"] = "1"  # a partial clone does not fetch what it lacks
    # The variable overrides every protocol.*.allow a repository may set (ext:: included);
    # an empty list allows no transport at all, for commands that never need one.
    env["GIT_ALLOW_PROTOCOL"] = REMOTE_PROTOCOLS if remote else ""
    if extra:
        env.update(extra)
    return env


def _start(
    args: Sequence[str],
    cwd: Path,
    *,
    stdin: int | None,
    stdout: int | None,
    stderr: int | None,
    remote: bool = False,
    hooks: bool = False,
    extra_env: Mapping[str, str] | None = None,
    new_session: bool = False,
    config: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """The one place where leakstop starts git."""
    try:
        return subprocess.Popen(
            command(args, remote=remote, hooks=hooks, config=config),
            cwd=cwd,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            env=environment(remote=remote, extra=extra_env),
            start_new_session=new_session,
        )
    except FileNotFoundError as exc:
        if not Path(cwd).is_dir():
            raise LeakstopError(f"not a directory: {cwd}") from exc
        raise LeakstopError("git is not installed or not on PATH") from exc


def failure(args: Sequence[str], stderr: bytes) -> LeakstopError:
    """A one-line error for a failed git command; git's refusal of a repository owned by
    someone else gets its own words."""
    text = stderr.decode("utf-8", "replace")
    dubious = _DUBIOUS.search(text)
    if dubious:
        return DubiousOwnership(dubious.group("path"))
    return LeakstopError(f"git {args[0] if args else ''} failed: {first_line(stderr)}")


class DubiousOwnership(LeakstopError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"git refuses to read {path}: it belongs to another user (dubious ownership); "
            f"if you trust it, run: git config --global --add safe.directory {path}"
        )


def completed(
    args: Sequence[str],
    cwd: Path,
    *,
    data: bytes | None = None,
    hooks: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a git command with small output and return it whole, whatever its exit code."""
    proc = _start(
        args,
        cwd,
        stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        hooks=hooks,
        extra_env=extra_env,
    )
    stdout, stderr = proc.communicate(data)
    return subprocess.CompletedProcess(list(args), proc.returncode, stdout, stderr)


def run(args: Sequence[str], cwd: Path, *, check: bool = True, data: bytes | None = None) -> bytes:
    """Run a git command whose output is small (with `data` on its stdin, for revision
    lists too long for argv); a failure becomes a LeakstopError when `check`, and a
    repository git refuses to read (dubious ownership) always does."""
    proc = completed(args, cwd, data=data)
    if proc.returncode != 0:
        error = failure(args, proc.stderr)
        if check or isinstance(error, DubiousOwnership):
            raise error
    return proc.stdout


def spawn(
    args: Sequence[str], cwd: Path, *, stdin: bool = False, config: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """A git process whose output the caller streams (stdout and stderr are pipes)."""
    return _start(
        args,
        cwd,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        config=config,
    )


def stream(args: Sequence[str], cwd: Path) -> Iterator[bytes]:
    """Yield git's output line by line (bytes, newline kept) without loading it whole."""
    proc = spawn(args, cwd)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        yield from proc.stdout
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise failure(args, stderr)


def repo_root(cwd: Path) -> Path | None:
    """The work tree's top directory, or None outside a repository. A repository git
    refuses (dubious ownership) or cannot read is an error, never None: the caller would
    otherwise walk it as a plain directory."""
    proc = completed(["rev-parse", "--is-inside-work-tree", "--show-toplevel"], cwd)
    if proc.returncode == 0:
        inside, _, root = proc.stdout.decode("utf-8", "surrogateescape").partition("\n")
        root = root.strip()
        if inside.strip() == "false" and root and "GIT_WORK_TREE" not in os.environ:
            # core.worktree in the repository's own config points the work tree elsewhere:
            # scanning there would pass over the files actually here.
            raise LeakstopError(
                f"this repository's core.worktree points at {root}, which does not hold "
                f"{cwd}; refusing to scan another directory (git config --unset core.worktree)"
            )
        return Path(root) if root else None
    text = proc.stderr.decode("utf-8", "replace")
    if "not a git repository" in text.lower() or "must be run in a work tree" in text:
        return None  # outside any repository, or in a git directory (no work tree)
    raise failure(["rev-parse"], proc.stderr)


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
    """Git's own error from its stderr: the first line that is not advice (`hint: …`)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    said = [line for line in lines if line and not line.startswith("hint:")]
    return said[0] if said else "no error message"


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
    return completed(args, cwd).returncode == 0


def is_ignored(root: Path, path: Path) -> bool:
    return succeeds(["check-ignore", "-q", "--no-index", "--", str(path)], root)


def is_tracked(root: Path, path: Path) -> bool:
    return succeeds(["ls-files", "--error-unmatch", "--", str(path)], root)


_REMOTE_COMMANDS: set[subprocess.Popen[bytes]] = set()


def run_remote(args: Sequence[str], cwd: Path, timeout: float) -> None:
    """A git command that talks to a remote (clone, remote update): no prompt (no stdin, no
    controlling terminal: its own session), only the usual transports (never `ext::`), and
    at most `timeout` seconds, after which it is killed with its helpers (ssh, git-remote-*).
    Being in its own session, Ctrl-C does not reach it: `stop_remote_commands` does."""
    import signal

    proc = _start(
        args,
        cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        remote=True,
        new_session=True,
    )
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
        raise failure(args, stderr)


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
        if not header:  # the process stopped (a damaged object, a failed lazy fetch)
            raise OSError("git cat-file stopped")
        if len(header) != 3:  # "<name> missing" / "ambiguous"
            return None
        size = int(header[2])
        data = _read_exactly(proc.stdout, size)
        if len(data) < size:  # cut short: never take part of an object for the whole
            raise OSError("git cat-file stopped inside an object")
        proc.stdout.read(1)  # the newline after the content
        if header[1] != b"blob" or size > limit:
            return None
        return data

    def _process(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = _start(
                ["cat-file", "--batch"],
                self.root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._proc

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.close()  # fails (broken pipe) when the process already stopped
            finally:
                proc.stdout.close()
                proc.wait()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        part = stream.read(min(left, 1 << 20))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
