"""`dotenv:PATH:VAR` delivery: every assignment of VAR gets the new key; every other byte of
the file stays as it was (CRLF endings, comments, quotes, inline comments, other variables,
bytes that are not UTF-8). The file keeps its owner, group and mode; a symlink is followed
and its target updated (the link stays a link) only when the target exists, so a link a
scanned repository brought cannot choose where a new key file is created; the write is
atomic (a temporary file in the target's directory, fsync'd, renamed over it) unless the
file has several hard links, which a rename would split, or sits in a directory the user
cannot write: then it is rewritten in place (same inode, fsync'd).

A duplicate `VAR=` is updated everywhere: dotenv loaders disagree on which one wins, so
leaving the old key in any of them would keep it in use.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.rotation.records import write_durably

_LINE = (
    rb"^(?P<lead>[ \t]*(?:export[ \t]+)?%s[ \t]*=[ \t]*)"
    rb"""(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"]*)"""
    rb"(?P<rest>.*)$"
)


def _pattern(variable: str) -> re.Pattern[bytes]:
    return re.compile(_LINE % re.escape(variable.encode("ascii")), re.DOTALL)


def _lines(data: bytes) -> list[tuple[bytes, bytes]]:
    """(content, line ending) pairs; endings kept exactly (\\n, \\r\\n or \\r)."""
    out = []
    for line in data.splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        out.append((body, line[len(body) :]))
    return out


def _unquote(value: bytes) -> bytes:
    if len(value) >= 2 and value[:1] == value[-1:] and value[:1] in (b'"', b"'"):
        return value[1:-1]
    return value


def values(path: Path, variable: str) -> list[str]:
    """Every value assigned to `variable` in the file (unquoted), for finding a key by hash."""
    try:
        data = Path(os.path.realpath(path)).read_bytes()
    except OSError:
        return []
    pattern = _pattern(variable)
    found = []
    for body, _ in _lines(data):
        match = pattern.match(body)
        if match:
            found.append(_unquote(match.group("value")).decode("utf-8", "replace"))
    return found


def render(data: bytes, variable: str, key: str) -> tuple[bytes, int]:
    """The file with every assignment of `variable` set to `key`, and how many there were;
    with none, `VAR=key` is appended (in the file's own line-ending style)."""
    pattern = _pattern(variable)
    new = key.encode("utf-8")
    out: list[bytes] = []
    count = 0
    for body, ending in _lines(data):
        match = pattern.match(body)
        if match:
            value = match.group("value")
            quote = value[:1] if value[:1] in (b'"', b"'") else b""
            body = match.group("lead") + quote + new + quote + match.group("rest")
            count += 1
        out.append(body + ending)
    text = b"".join(out)
    if count == 0:
        eol = b"\r\n" if b"\r\n" in data else b"\n"
        if text and not text.endswith((b"\n", b"\r")):
            text += eol
        text += variable.encode("ascii") + b"=" + new + eol
    return text, count


def preflight(path: Path) -> None:
    """The file (at its symlink's target) can be rewritten keeping its owner, group and mode."""
    real = Path(os.path.realpath(path))
    linked = real != Path(os.path.abspath(path))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        if linked:
            # A link (perhaps one a scanned repository brought) must not choose where a
            # new key file is created.
            raise LeakstopError(
                f"--deliver dotenv: {path} leads through a symlink to {real}, which does not "
                "exist; refusing to create a key file where a link points"
            ) from None
        if not real.parent.is_dir() or not os.access(real.parent, os.W_OK):
            raise LeakstopError(f"--deliver dotenv: cannot write in {real.parent}") from None
        return
    except OSError as exc:
        raise LeakstopError(f"--deliver dotenv: cannot read {path} ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise LeakstopError(f"--deliver dotenv: {path} is not a regular file")
    if not os.access(real, os.R_OK | os.W_OK):
        raise LeakstopError(f"--deliver dotenv: cannot read and write {path}")
    euid = os.geteuid()
    if euid != 0 and (info.st_uid != euid or info.st_gid not in (os.getegid(), *os.getgroups())):
        raise LeakstopError(
            f"--deliver dotenv: {path} belongs to another user or group; rewriting it would "
            "change its owner"
        )


def replace(path: Path, variable: str, key: str) -> int:
    """Set `variable` to `key` in the dotenv file; returns how many assignments changed."""
    real = Path(os.path.realpath(path))
    try:
        data = real.read_bytes()
        info: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        data, info = b"", None
    text, count = render(data, variable, key)
    if info is not None and (info.st_nlink > 1 or not os.access(real.parent, os.W_OK)):
        _rewrite_in_place(real, text)
    else:
        write_durably(real, text, like=info)
    return count


def _rewrite_in_place(real: Path, text: bytes) -> None:
    fd = os.open(real, os.O_WRONLY | os.O_NOFOLLOW)
    try:
        view = memoryview(text)
        offset = 0
        while offset < len(text):
            offset += os.pwrite(fd, view[offset:], offset)
        os.ftruncate(fd, len(text))
        os.fsync(fd)
    finally:
        os.close(fd)
