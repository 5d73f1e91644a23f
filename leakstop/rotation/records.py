"""What a rotation remembers: the state of rotated keys (so a re-run never rotates the same
key twice) and the append-only audit log. Both hold SHA-1 digests of keys, never a key.

Several runs may share one state directory (two CI jobs, a hook and a sweep): every change to
the state file is a locked read-modify-write, and every write is flushed to disk before it is
relied on."""

from __future__ import annotations

import json
import os
import stat
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.outcomes import RotationRecord, RotationStatus, Word
from leakstop.rotation import locks
from leakstop.rotation.paths import private_dir, state_dir


@dataclass(frozen=True)
class Outcome:
    """What one rotation attempt came to; `record()` is the part the reports show."""

    status: RotationStatus
    detail: str
    reason: str | None = None
    """Why the verdict on the key is not definite (see Finding.verify_reason), if it is not."""
    keep_open: bool = False
    """The journal record stays: whether the key was rotated is still unknown."""
    new_sha1: str | None = None
    lost: bool = False
    """The provider rotated the key but its new key did not arrive (or may not have): the
    user must regenerate by hand. In the report as `"new_key": "lost"`."""

    def record(self) -> RotationRecord:
        """The finding's `rotation` in the reports."""
        return RotationRecord(self.status, self.detail, new_key_lost=self.lost)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def write_durably(path: Path, data: bytes, like: os.stat_result | None = None) -> None:
    """Replace `path` with `data` atomically, on disk before this returns (file and
    directory entry fsync'd): a power loss leaves the old or the new content, never none.
    The new file is 0600, or has the owner, group and mode of `like` (the file it replaces)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        if like is not None:
            if (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid()):
                os.fchown(fd, like.st_uid, like.st_gid)
            os.fchmod(fd, stat.S_IMODE(like.st_mode))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_dir(path.parent)


def sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_writable(directory: Path, files: list[Path]) -> None:
    """Before any call: the state directory takes a real write (a read-only mount, a full
    disk or a missing permission shows here) and each state file is a plain file or absent."""
    private_dir(directory)
    for path in files:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _unwritable(directory, exc) from None
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise LeakstopError(f"cannot write the rotation state: {path} is {kind}")
        if not os.access(path, os.W_OK):
            raise LeakstopError(f"cannot write the rotation state: {path} is read-only")
    try:
        probe_write(directory)
    except OSError as exc:
        raise _unwritable(directory, exc) from None


def probe_write(directory: Path) -> None:
    """Write, fsync and remove a small file: a read-only mount, a full disk or a missing
    permission raises OSError here rather than after a key was rotated. The file has a name
    of its own, since runs sharing the directory probe it at the same time."""
    fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=directory)
    try:
        os.write(fd, b"\0" * 8192)
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(probe)


def _unwritable(directory: Path, exc: OSError) -> LeakstopError:
    return LeakstopError(f"cannot write the state directory {directory}: {exc.strerror}")


class Settled(Word):
    """What `rotated.json` remembers of a key: the outcomes after which it must never be
    regenerated again by a later run."""

    ROTATED = "rotated"
    ALREADY_INVALID = "already_invalid"
    NEW_KEY_LOST = "rotated_new_key_lost"
    """Rotated, but its new key did not arrive (or may not have): the user must act."""


@dataclass(frozen=True)
class Remembered:
    """One key's entry in `rotated.json` (keyed by its hashed_secret; never the key)."""

    provider: str
    outcome: Settled
    time: str

    @classmethod
    def read(cls, entry: object) -> Remembered | None:
        """The entry, or None when it is not one this version can read."""
        if not isinstance(entry, dict):
            return None
        provider, outcome, time = entry.get("provider"), entry.get("outcome"), entry.get("time")
        if not isinstance(provider, str) or not isinstance(time, str):
            return None
        try:
            return cls(provider, Settled(outcome), time)
        except ValueError:
            return None

    def to_json(self) -> dict[str, str]:
        return {"provider": self.provider, "outcome": self.outcome.value, "time": self.time}


class RotationState:
    """`rotated.json` in the state directory: hashed_secret -> what happened and when."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "rotated.json"
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def _load(self) -> dict[str, object]:
        """The file's entries as stored (an unreadable file counts as empty: it is rewritten
        whole on the next `remember`)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, hashed: str) -> Remembered | None:
        """What an earlier run (this one or another, still running) recorded for the key."""
        if not self.path.exists():
            return None
        with locks.held(self.lock_path, shared=True):
            return Remembered.read(self._load().get(hashed))

    def remember(self, hashed: str, provider: str, outcome: Settled) -> None:
        private_dir(self.path.parent)
        with locks.held(self.lock_path):
            entries = self._load()  # re-read: another run may have added entries meanwhile
            entries[hashed] = Remembered(provider, outcome, now()).to_json()
            text = json.dumps(entries, indent=1, sort_keys=True)
            write_durably(self.path, text.encode("utf-8"))


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log (with the time it is written): digests, never a key."""

    provider: str
    rule: str
    where: str
    """The file and line (or commit) the key was found at."""
    outcome: RotationStatus
    detail: str
    old_sha1: str
    new_sha1: str | None


class AuditLog:
    """`audit.jsonl` in the state directory: one JSON line per rotation attempt."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "audit.jsonl"

    def ensure_writable(self) -> None:
        check_writable(self.path.parent, [self.path])
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            raise _unwritable(self.path.parent, exc) from None

    def append(self, entry: AuditEntry) -> None:
        private_dir(self.path.parent)
        line = json.dumps({"time": now(), **asdict(entry)}, sort_keys=True) + "\n"
        # One write of one line on an O_APPEND descriptor: concurrent runs never interleave.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
