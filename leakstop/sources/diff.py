"""Parse git's unified diff output into blocks of added lines, streamed hunk by hunk.

Each hunk becomes one `Block` holding its context and added lines (removed lines are
dropped), numbered as in the new file, with only the added lines reportable. Context lines
stay in the block because some rules need the lines above a key.

Expected input: `git diff` with `a/` and `b/` prefixes, no colour and no external diff (see
`staged.DIFF_OPTIONS`). Paths may be C-quoted by git (`"a/x\\ny"`); an unquoted path that
holds a space ends with a tab on the `+++` line, which is not part of the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from leakstop.findings import Block, Skipped
from leakstop.lazy_pattern import LazyPattern
from leakstop.sources.text import (
    DEFAULT_MAX_BYTES,
    LFS_POINTER_MAX,
    LFS_REASON,
    decode,
    is_lfs_pointer,
)

_HUNK = re.compile(rb"^@@+ (?:-\d+(?:,(\d+))? )+\+(\d+)(?:,(\d+))? @@")
_GITLINK = b" 160000"
SUBMODULE = "submodule (scan it in its own repository)"


@dataclass
class _File:
    path: str | None = None
    source: str | None = None
    lines: list[str] = field(default_factory=list)
    added: set[int] = field(default_factory=set)
    first: int = 1
    size: int = 0
    submodule: bool = False
    oversized: bool = False
    skipped: bool = False
    """Already named as not scanned: later hunks of the file are dropped."""


def parse(
    lines: Iterable[bytes],
    max_bytes: int = DEFAULT_MAX_BYTES,
    renamed_from: dict[str, str] | None = None,
    shown: set[str] | None = None,
) -> Iterator[Block | Skipped]:
    """Blocks of every hunk and Skipped entries for files whose content is not text.

    If `renamed_from` is given, it receives the old path of every file that git shows as
    renamed or copied (new path -> old path); if `shown` is given, the path of every file
    that has a hunk or is called binary."""
    current = _File()
    old_left = new_left = 0
    for raw in lines:
        if old_left > 0 or new_left > 0:
            tag = raw[:1]
            if tag == b"+":
                _append(current, raw[1:], added=True, max_bytes=max_bytes)
                new_left -= 1
            elif tag == b"-":
                old_left -= 1
            elif tag == b"\\":
                pass  # "\ No newline at end of file"
            else:  # context (an empty line when diff.suppressBlankEmpty is set)
                _append(current, raw[1:], added=False, max_bytes=max_bytes)
                old_left -= 1
                new_left -= 1
            if old_left <= 0 and new_left <= 0:
                yield from _flush(current, max_bytes)
            continue
        line = raw.rstrip(b"\r\n")
        if line.startswith(b"diff --git "):
            current = _File(path=_path_from_header(line[11:]))
        elif line.startswith((b"rename from ", b"copy from ")):
            current.source = unquote_path(line.split(b" from ", 1)[1])
        elif line.startswith((b"rename to ", b"copy to ")):
            current.path = unquote_path(line.split(b" to ", 1)[1])
            if renamed_from is not None and current.source is not None:
                renamed_from[current.path] = current.source
        elif line.startswith(b"+++ "):
            target = line[4:]
            if target != b"/dev/null":
                if not target.startswith(b'"'):
                    target = target.removesuffix(b"\t")
                current.path = _strip_prefix(unquote_path(target))
        elif line.startswith((b"new file mode", b"new mode", b"index ")) and line.endswith(
            _GITLINK
        ):
            current.submodule = True
        elif line.startswith(b"Binary files ") and current.path is not None:
            if shown is not None:
                shown.add(current.path)
            yield Skipped(current.path, "binary")
        elif line.startswith(b"@@"):
            match = _HUNK.match(line)
            if match is None:
                continue
            old_left = int(match.group(1)) if match.group(1) is not None else 1
            new_left = int(match.group(3)) if match.group(3) is not None else 1
            current.first = int(match.group(2))
            current.lines, current.added = [], set()
            if shown is not None:
                shown.add(current.path or "?")
            if current.submodule and not current.skipped:
                current.skipped = True
                yield Skipped(current.path or "?", SUBMODULE)


def _append(file: _File, content: bytes, *, added: bool, max_bytes: int) -> None:
    if file.oversized or file.submodule:
        return
    file.size += len(content)
    if file.size > max_bytes:
        file.oversized = True
        return
    number = file.first + len(file.lines)
    file.lines.append(decode(content.rstrip(b"\n").rstrip(b"\r")))
    if added:
        file.added.add(number)


def _flush(file: _File, max_bytes: int) -> Iterator[Block | Skipped]:
    """The hunk just read, as a block; or the file named as skipped (once)."""
    lines, added = file.lines, file.added
    file.lines, file.added = [], set()
    if file.skipped:
        return
    path = file.path or "?"
    if file.oversized:
        file.skipped = True
        yield Skipped(path, f"too large (the change is over the limit of {max_bytes} bytes)")
        return
    if not added:
        return
    text = "\n".join(lines)
    # NUL bytes: binary content shown as text (a `diff` attribute, or `--text`).
    reason = "binary" if "\0" in text else None
    if reason is None and file.first == 1 and len(text) < LFS_POINTER_MAX:
        reason = LFS_REASON if is_lfs_pointer(text.encode("utf-8", "replace")) else None
    if reason is not None:
        file.skipped = True
        yield Skipped(path, reason)
        return
    yield Block(path=path, text=text, first_line=file.first, added=frozenset(added))


def _path_from_header(header: bytes) -> str | None:
    """`a/X b/X` (unquoted, same path both sides) or `"a/X" "b/Y"` (quoted)."""
    if header.startswith(b'"') or header.endswith(b'"'):
        tokens = _quoted_tokens(header)
        return _strip_prefix(tokens[-1]) if tokens else None
    if len(header) % 2 == 1:
        half = (len(header) - 1) // 2
        left, right = header[:half], header[half + 1 :]
        if left[2:] == right[2:]:
            return _strip_prefix(decode_path(right))
    return None


def _quoted_tokens(header: bytes) -> list[str]:
    tokens: list[str] = []
    rest = header
    while rest:
        rest = rest.lstrip(b" ")
        if rest.startswith(b'"'):
            end = 1
            while end < len(rest) and rest[end : end + 1] != b'"':
                end += 2 if rest[end : end + 1] == b"\\" else 1
            tokens.append(unquote_path(rest[: end + 1]))
            rest = rest[end + 1 :]
        else:
            token, _, rest = rest.partition(b" ")
            tokens.append(decode_path(token))
    return tokens


_OCTAL = LazyPattern(rb"[0-7]{1,3}")
"""An octal escape in a path git quoted."""

_ESCAPES = {b"n": 10, b"t": 9, b"r": 13, b'"': 34, b"\\": 92, b"a": 7, b"b": 8, b"f": 12, b"v": 11}


def unquote_path(value: bytes) -> str:
    """Undo git's C-style quoting of unusual path names."""
    if not (len(value) >= 2 and value.startswith(b'"') and value.endswith(b'"')):
        return decode_path(value)
    out = bytearray()
    body = value[1:-1]
    i = 0
    while i < len(body):
        char = body[i : i + 1]
        if char == b"\\" and i + 1 < len(body):
            octal = _OCTAL.match(body, i + 1)
            if octal is not None:
                out.append(int(octal.group(), 8) & 0xFF)
                i = octal.end()
                continue
            nxt = body[i + 1 : i + 2]
            out.append(_ESCAPES.get(nxt, nxt[0]))
            i += 2
            continue
        out += char
        i += 1
    return decode_path(bytes(out))


def decode_path(value: bytes) -> str:
    """A path as text; bytes that are not UTF-8 become `\\xNN` escapes (safe to print)."""
    return value.decode("utf-8", "backslashreplace")


def _strip_prefix(path: str) -> str:
    return path[2:] if path.startswith(("a/", "b/")) else path
