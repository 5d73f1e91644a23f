"""Whole files as blocks: the tracked files of a repository, or paths given by the user.
A file larger than the size limit is read in pieces (`segments`), never skipped for its size.

A symlink is scanned as what git stores for it, the text of its target (the file it points
to is scanned where it lives, if it is part of the scan); a submodule is named as skipped.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.findings import Block, Skipped
from leakstop.sources import segments
from leakstop.sources.text import decode_file, skip_reason


def tracked(root: Path, max_bytes: int) -> Iterator[Block | Skipped]:
    # A path in conflict is listed once per stage: scan it once.
    inside: dict[str, bool] = {}
    real_root = os.path.realpath(root)
    for rel in dict.fromkeys(git.tracked_files(root)):
        parent = os.path.dirname(rel)
        if parent not in inside:
            real = os.path.realpath(root / parent)
            inside[parent] = real == real_root or real.startswith(real_root + os.sep)
        if not inside[parent]:
            # A directory on its path is a symlink out of the work tree (git itself never
            # checks out through one): what lies there is not this file.
            yield Skipped(display_name(rel), "behind a symbolic link to outside the work tree")
            continue
        yield from blocks(root / rel, display_name(rel), max_bytes)


def given(
    paths: Iterable[str], cwd: Path, root: Path | None, max_bytes: int
) -> Iterator[Block | Skipped]:
    """Files at the given paths (directories are walked, `.git` excluded), named relative to
    the repository root when they lie inside it. Each file is scanned once."""
    seen: set[str] = set()
    for arg in paths:
        path = Path(arg) if os.path.isabs(arg) else cwd / arg
        try:
            os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise LeakstopError(f"no such file or directory: {display_name(arg)}") from None
        except OSError as exc:  # a directory above it that may not be searched
            yield Skipped(_display(path, cwd, root), f"unreadable ({_why(exc)})")
            continue
        for full in _walk(path, nested_repositories=root is not None):
            if isinstance(full, Skipped):
                yield Skipped(_display(Path(full.file), cwd, root), full.reason)
                continue
            name = _display(full, cwd, root)
            if name not in seen:
                seen.add(name)
                yield from blocks(full, name, max_bytes)


def _walk(path: Path, *, nested_repositories: bool) -> Iterator[Path | Skipped]:
    """Files under `path`, and the directories that could not be listed (named with the
    reason). Symlinked directories are not followed (they are scanned like any symlink);
    inside a repository, a directory that is a repository of its own (a submodule, a vendored
    clone) is yielded itself, to be named as not scanned, not entered."""
    if not path.is_dir() or path.is_symlink():
        yield path
        return
    unlisted: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(path, onerror=unlisted.append):
        while unlisted:
            yield _unlisted(unlisted.pop())
        entries = [*(f for f in filenames if f != ".git")]
        keep = []
        for name in dirnames:
            full = os.path.join(dirpath, name)
            if name == ".git":
                continue
            if os.path.islink(full) or (
                nested_repositories and os.path.lexists(os.path.join(full, ".git"))
            ):
                entries.append(name)
            else:
                keep.append(name)
        dirnames[:] = sorted(keep)
        for name in sorted(entries):
            yield Path(dirpath) / name
    while unlisted:
        yield _unlisted(unlisted.pop())


def _unlisted(error: OSError) -> Skipped:
    """A directory `os.walk` could not list; its name is fixed up by the caller."""
    return Skipped(os.fsdecode(error.filename or "?"), f"unreadable directory ({_why(error)})")


def _why(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _display(path: Path, cwd: Path, root: Path | None) -> str:
    absolute = Path(os.path.abspath(path))
    if root is not None and absolute.is_relative_to(root):
        return display_name(absolute.relative_to(root).as_posix())
    try:
        return display_name(absolute.relative_to(cwd).as_posix())
    except ValueError:
        return display_name(str(path))


def display_name(name: str) -> str:
    """A path that is safe to print and to encode: bytes that are not UTF-8 (kept by the
    file system decoding as surrogates) are shown as `\\xNN` escapes."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def read(path: Path, name: str, max_bytes: int) -> Block | Skipped:
    """One file as a block, or the reason it cannot be scanned (one over `max_bytes`
    included)."""
    item = _whole(path, name, max_bytes)
    if item is None:
        return Skipped(name, f"too large (over the limit of {max_bytes} bytes)")
    return item


def blocks(path: Path, name: str, max_bytes: int) -> Iterator[Block | Skipped]:
    """One file as blocks: whole up to `max_bytes`, larger ones in pieces of that size
    (`segments`), so a file of any size is scanned in bounded memory. Or the reason it cannot
    be scanned."""
    item = _whole(path, name, max_bytes)
    if item is not None:
        yield item
        return
    try:
        with _open_regular(path) as handle:
            for piece in segments.stream(handle, name, piece=max_bytes):
                yield Skipped(name, piece) if isinstance(piece, str) else piece
    except OSError as exc:
        yield Skipped(name, f"unreadable ({_why(exc)})")


def _open_regular(path: Path) -> BinaryIO:
    """Open a file that `lstat` called regular, refusing what it may have become since (a
    link to elsewhere, a FIFO that would block the scan forever)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "no longer a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _whole(path: Path, name: str, max_bytes: int) -> Block | Skipped | None:
    """`read`, with None for a regular file larger than `max_bytes`."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Skipped(name, "missing from the work tree")
    except OSError as exc:  # a directory above it that may not be searched
        return Skipped(name, f"unreadable ({_why(exc)})")
    if stat.S_ISLNK(info.st_mode):
        try:
            return Block(path=name, text=display_name(os.readlink(path)))
        except OSError as exc:  # pragma: no cover - lstat just said it is a link
            return Skipped(name, f"unreadable ({_why(exc)})")
    if stat.S_ISDIR(info.st_mode):
        return Skipped(name, "submodule (scan it in its own repository)")
    if not stat.S_ISREG(info.st_mode):
        return Skipped(name, "not a regular file")
    if info.st_size > max_bytes:
        return None
    try:
        with _open_regular(path) as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return Skipped(name, f"unreadable ({_why(exc)})")
    if len(data) > max_bytes:  # grew since lstat
        return None
    reason = skip_reason(data)
    if reason is not None:
        return Skipped(name, reason)
    return Block(path=name, text=decode_file(data))
