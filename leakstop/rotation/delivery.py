"""Safe delivery of a new key, done before anything else happens after a rotation.

Three targets: `file:DIR` (one new 0600 file per key in a 0700 directory of the user's own,
default the user's state directory), `dotenv:PATH:VAR` (in-place replacement of one variable,
the rest of the file byte for byte), `exec:CMD` (a program run without a shell, e.g. a secret
manager's CLI, with the key on its stdin, never in its arguments). Each is checked before the
provider is called, so a rotation never ends with a key that has nowhere to go. The output
names where the key went, never the key.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.rotation import dotenv
from leakstop.rotation.paths import default_keys_dir, private_dir
from leakstop.rotation.records import probe_write
from leakstop.secrets_text import hashed_secret

_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_USAGE = "use file:DIR, dotenv:PATH:VAR or exec:'COMMAND ARGS'"
EXEC_TIMEOUT = 120


@dataclass(frozen=True)
class Delivery:
    kind: str
    target: str
    variable: str = ""
    argv: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "dotenv":
            return f"{self.variable} in {self.target}"
        if self.kind == "exec":
            return f"the stdin of `{self.argv[0]}`"
        return self.target

    def preflight(self, repo_root: Path | None) -> None:
        """Refuse a target that would put the key in the repository or cannot be written."""
        if self.kind == "exec":
            from shutil import which

            if which(self.argv[0]) is None:
                raise LeakstopError(f"--deliver exec: {self.argv[0]!r} is not an executable")
            return
        path = Path(self.target).resolve()  # a symlinked .env is judged (and written) at its target
        if repo_root is not None and _inside_and_unignored(path, repo_root, self.kind):
            raise LeakstopError(
                f"--deliver: {self.target} is inside the repository; new keys never go there"
            )
        link = _repository_link(Path(os.path.abspath(self.target)), repo_root)
        if link is not None:
            raise LeakstopError(
                f"--deliver: {self.target} leads through {link}, a symlink the repository "
                "brought; it does not choose where a new key goes"
            )
        if self.kind == "dotenv":
            dotenv.preflight(Path(self.target))
        else:
            _probe(key_directory(Path(self.target)))

    def deliver(self, key: str, label: str) -> str:
        """Store `key`; returns where it went (a description without the key)."""
        if self.kind == "file":
            return _to_file(Path(self.target), key, label)
        if self.kind == "dotenv":
            count = dotenv.replace(Path(self.target), self.variable, key)
            return self.describe() + (f" ({count} assignments)" if count > 1 else "")
        return _to_exec(self.argv, key)


def parse(spec: str | None) -> Delivery:
    """The --deliver value (None: the default). Errors never quote the value: a mistaken
    spec may hold a secret."""
    if spec is None:
        return Delivery("file", str(default_keys_dir()))
    if not spec.strip():
        raise LeakstopError(f"--deliver is empty: {_USAGE}")
    if any(not c.isprintable() for c in spec):
        raise LeakstopError(f"--deliver holds a control character: {_USAGE}")
    kind, colon, rest = spec.partition(":")
    if not colon or kind not in ("file", "dotenv", "exec"):
        raise LeakstopError(f"--deliver: unknown kind of target; {_USAGE}")
    if kind == "file":
        if rest.strip():
            return Delivery("file", os.path.expanduser(rest))
        raise LeakstopError(f"--deliver file: needs a directory; {_USAGE}")
    if kind == "dotenv":
        path, _, variable = rest.rpartition(":")
        if not path.strip():
            raise LeakstopError(f"--deliver dotenv: needs PATH:VAR; {_USAGE}")
        if not _VAR.match(variable):
            raise LeakstopError(
                "--deliver dotenv: the variable name must be letters, digits and _, "
                "not starting with a digit"
            )
        return Delivery("dotenv", os.path.expanduser(path), variable=variable)
    try:
        argv = tuple(shlex.split(rest))
    except ValueError as exc:  # "No closing quotation", "No escaped character"
        raise LeakstopError(f"--deliver exec: the command cannot be split: {exc}") from None
    if not argv or not argv[0].strip():
        raise LeakstopError(f"--deliver exec: needs a command; {_USAGE}")
    return Delivery("exec", rest, argv=argv)


def key_directory(directory: Path) -> Path:
    """Where key files go for `file:DIR`: DIR itself when it is the user's own and private
    (0700, or created here), else a 0700 directory of the user's own inside it, so a 0600 key
    file never sits where other users can list, rename or replace it."""
    try:
        info = os.stat(directory)
    except FileNotFoundError:
        return private_dir(directory)
    except OSError as exc:
        raise LeakstopError(f"cannot use the directory {directory} ({exc.strerror})") from None
    if not stat.S_ISDIR(info.st_mode):
        raise LeakstopError(f"cannot use the directory {directory} (not a directory)")
    if _private(info):
        return directory
    own = directory / f"leakstop-keys-{os.geteuid()}"
    try:
        os.mkdir(own, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise LeakstopError(
            f"--deliver file: {directory} is shared with other users and a private "
            f"directory cannot be made in it ({exc.strerror})"
        ) from None
    if not _private(os.lstat(own)):
        raise LeakstopError(
            f"--deliver file: {directory} is shared with other users, and {own} is not a "
            "private (0700) directory of yours; refusing to put a key there"
        )
    return own


def _private(info: os.stat_result) -> bool:
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.geteuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )


def _probe(directory: Path) -> None:
    """A real write, so a read-only mount or a full disk shows before the provider is called."""
    try:
        probe_write(directory)
    except OSError as exc:
        raise LeakstopError(
            f"--deliver file: cannot write in {directory} ({exc.strerror})"
        ) from None


def _to_file(directory: Path, key: str, label: str) -> str:
    home = key_directory(directory)
    # Opened once and checked through the descriptor: the directory cannot be swapped
    # between the check and the file's creation.
    dir_fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        if not _private(os.fstat(dir_fd)):
            raise LeakstopError(f"--deliver file: {home} is no longer a private directory")
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        for attempt in range(100):
            name = f"{label}-{stamp}{f'-{attempt}' if attempt else ''}.key"
            try:
                fd = os.open(
                    name,
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                    0o600,
                    dir_fd=dir_fd,
                )
            except FileExistsError:
                continue
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, (key + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.fsync(dir_fd)
            return str(home / name)
    finally:
        os.close(dir_fd)
    raise LeakstopError(f"cannot create a new key file in {home}")  # pragma: no cover


def _to_exec(argv: tuple[str, ...], key: str) -> str:
    """The key alone on stdin (no trailing newline: tools that store stdin verbatim, such as
    `kubectl --from-file` or `aws … file:///dev/stdin`, store exactly the key)."""
    try:
        proc = subprocess.run(
            list(argv),
            input=key.encode("utf-8"),
            capture_output=True,
            timeout=EXEC_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LeakstopError(f"--deliver exec: {argv[0]} failed ({type(exc).__name__})") from None
    # Its output is not shown: a secret manager's CLI may echo what it stored.
    if proc.returncode != 0:
        raise LeakstopError(f"--deliver exec: {argv[0]} exited with {proc.returncode}")
    return f"the stdin of `{argv[0]}` (exit 0)"


def find_delivered(kind: str, target: str, variable: str, new_sha1: str) -> str | None:
    """Where a key with this hash was delivered, if it can be seen from here (file and
    dotenv targets); used to tell whether an interrupted rotation lost its new key."""
    if kind == "dotenv":
        values = dotenv.values(Path(target), variable)
        return (
            f"{variable} in {target}" if any(hashed_secret(v) == new_sha1 for v in values) else None
        )
    if kind != "file":
        return None
    base = Path(target)
    for directory in (base, base / f"leakstop-keys-{os.geteuid()}"):
        for path in sorted(directory.glob("*.key")) if directory.is_dir() else []:
            try:
                text = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                continue
            if hashed_secret(text) == new_sha1:
                return str(path)
    return None


def _repository_link(given: Path, root: Path | None) -> Path | None:
    """The first symlink on the way to `given` that the repository at `root` tracks: a
    scanned repository must not redirect a key by committing `.env -> ~/elsewhere`."""
    if root is None:
        return None
    from leakstop import git

    base = next((b for b in (root, root.resolve()) if given.is_relative_to(b)), None)
    if base is None:
        return None
    current = base
    for part in given.relative_to(base).parts:
        current = current / part
        if current.is_symlink() and git.is_tracked(root, current):
            return current
    return None


def _inside_and_unignored(path: Path, root: Path, kind: str) -> bool:
    """A path in the repository that git could pick up (a key file never goes there; a
    dotenv file only if git ignores it and does not track it)."""
    if not path.is_relative_to(root.resolve()):
        return False
    return kind == "file" or not _git_ignored(root, path)


def _git_ignored(root: Path, path: Path) -> bool:
    from leakstop import git

    return git.is_ignored(root, path) and not git.is_tracked(root, path)
