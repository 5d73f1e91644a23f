"""The sweep cache: bare mirrors of remote repositories and each repository's sweep state.

    DIR/<name>-<digest>.git     `git clone --mirror` of a remote (all refs, pruned on update)
    DIR/<name>-<digest>.json    what was scanned already (leakstop.sweep.state)
    DIR/<name>-<digest>.lock    held while a sweep works on the repository

A mirror is cloned into a temporary directory and renamed into place, so an interrupted
clone never leaves a half mirror behind; later runs `git remote update --prune` it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.sweep.targets import Target

DEFAULT_TIMEOUT = 600.0


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leakstop" / "mirrors"


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            with tempfile.NamedTemporaryFile(dir=root, prefix=".probe."):
                pass
        except OSError as exc:
            raise LeakstopError(
                f"cannot use the cache directory {root}: {exc.strerror or exc}"
            ) from None

    def mirror_path(self, target: Target) -> Path:
        return self.root / f"{target.slug}.git"

    def state_path(self, target: Target) -> Path:
        return self.root / f"{target.slug}.json"

    @contextlib.contextmanager
    def locked(self, target: Target, wait: bool = False) -> Iterator[None]:
        """Hold the repository's lock; another sweep on the same cache gets an error (or,
        with `wait`, waits: a Dask worker's tasks on one mirror take turns)."""
        path = self.root / f"{target.slug}.lock"
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise LeakstopError(
                    "another leakstop sweep is working on this repository's cache entry"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def mirror(self, target: Target, timeout: float) -> Path:
        """The up-to-date mirror of a remote target (cloned on first use)."""
        path = self.mirror_path(target)
        if (path / "HEAD").is_file():
            # The user may have switched spellings (https to ssh): fetch from today's.
            git.run(["config", "remote.origin.url", target.location], path)
            git.run_remote(["remote", "update", "--prune"], path, timeout)
            return path
        if path.exists():
            shutil.rmtree(path)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.slug}.", dir=self.root))
        try:
            git.run_remote(
                ["clone", "--mirror", "--quiet", "--", target.location, str(tmp)],
                self.root,
                timeout,
            )
            tmp.rename(path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return path
