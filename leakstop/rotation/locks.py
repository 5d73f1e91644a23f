"""Cross-process locks (fcntl.flock) for the state directory: one around each read-modify-
write of the state file, and one per key (by hash) held from the check call to the end of
delivery, so two runs sharing a state directory never regenerate the same key twice.

A flock dies with its process, so a lock left by a SIGKILLed run is free at once; the
journal (not the lock) is what remembers that run."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.rotation.paths import private_dir


@contextmanager
def held(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Block until `path` (created if missing) is locked; release on exit."""
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class KeyLock:
    """The per-key lock: `<dir>/<sha1>.lock`, holding the owner's pid for messages."""

    def __init__(self, directory: Path, hashed: str) -> None:
        self.path = directory / f"{hashed}.lock"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = _open(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return True

    def acquire(self, wait: float, waiting: Callable[[str], None]) -> bool:
        """Try for up to `wait` seconds; `waiting` is told once (with the holder's pid)."""
        give_up = time.monotonic() + wait
        told = False
        while not self.try_acquire():
            if time.monotonic() >= give_up:
                return False
            if not told:
                waiting(self.holder())
                told = True
            time.sleep(0.05)
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="ascii").strip() or "?"
        except (OSError, UnicodeDecodeError):
            return "?"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _open(path: Path) -> int:
    private_dir(path.parent)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise LeakstopError(f"cannot lock {path} ({exc.strerror})") from None
