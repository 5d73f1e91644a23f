"""Whole files as blocks: the tracked files of a repository, or paths given by the user."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from leakstop.detect.engine import Block
from leakstop.errors import LeakstopError
from leakstop.findings import Skipped
from leakstop.sources import git
from leakstop.sources.text import decode, skip_reason


def tracked(root: Path, max_bytes: int) -> Iterator[Block | Skipped]:
    for rel in git.tracked_files(root):
        yield read(root / rel, rel, max_bytes)


def given(paths: Iterable[str], cwd: Path, root: Path | None, max_bytes: int) -> Iterator[
    Block | Skipped
]:
    """Files at the given paths (directories are walked, `.git` excluded), named relative to
    the repository root when they lie inside it."""
    for arg in paths:
        path = Path(arg) if os.path.isabs(arg) else cwd / arg
        if not os.path.lexists(path):
            raise LeakstopError(f"no such file or directory: {arg}")
        if path.is_dir() and not path.is_symlink():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if d != ".git")
                for name in sorted(filenames):
                    full = Path(dirpath) / name
                    yield read(full, _display(full, cwd, root), max_bytes)
        else:
            yield read(path, _display(path, cwd, root), max_bytes)


def _display(path: Path, cwd: Path, root: Path | None) -> str:
    absolute = Path(os.path.abspath(path))
    if root is not None and absolute.is_relative_to(root):
        return absolute.relative_to(root).as_posix()
    try:
        return absolute.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def read(path: Path, name: str, max_bytes: int) -> Block | Skipped:
    """One file as a block, or the reason it cannot be scanned."""
    try:
        info = os.lstat(path)
    except OSError:
        return Skipped(name, "missing from the work tree")
    if stat.S_ISLNK(info.st_mode):
        return Skipped(name, "symlink (its target is scanned where it lives)")
    if stat.S_ISDIR(info.st_mode):
        return Skipped(name, "submodule (scan it in its own repository)")
    if not stat.S_ISREG(info.st_mode):
        return Skipped(name, "not a regular file")
    if info.st_size > max_bytes:
        return Skipped(name, f"too large ({info.st_size} bytes > limit {max_bytes})")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return Skipped(name, f"unreadable ({exc.strerror or exc.__class__.__name__})")
    reason = skip_reason(data)
    if reason is not None:
        return Skipped(name, reason)
    return Block(path=name, text=decode(data))
