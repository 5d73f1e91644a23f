"""Deciding whether bytes are scannable text, and decoding them without ever failing."""

from __future__ import annotations

import codecs

from leakstop.lazy_pattern import LazyPattern

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""The largest file or change held in memory whole: files mode streams larger files in
segments; commit modes skip larger changes and name them in the report."""

SNIFF = 8192
"""How much of the start of a file decides whether it is text (git looks at 8,000 bytes)."""

# https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md: a pointer is UTF-8 `key value`
# lines, `version` first (the current URL or one of the two pre-release aliases git-lfs still
# accepts), then any `ext-N-name` lines, `oid` and `size`, and it is smaller than 1024 bytes.
# Only a file of exactly that shape is a pointer; a file that merely starts like one is text.
LFS_POINTER_MAX = 1024


_LFS_POINTER = LazyPattern(
    rb"version (?:https://git-lfs\.github\.com/spec/v1|https://hawser\.github\.com/spec/v1"
    rb"|http://git-media\.io/v/2)\r?\n"
    rb"(?:ext-\d+-\w+ sha256:[0-9a-f]{64}\r?\n)*"
    rb"oid sha256:[0-9a-f]{64}\r?\n"
    rb"size \d+(?:\r?\n)?"
)
"""A git-lfs pointer file, exactly (compiled on first use: most scans meet none)."""

LFS_REASON = "git-lfs pointer (content is stored outside git)"

# Text with a byte-order mark in a wide encoding (PowerShell 5 writes UTF-16 by default):
# full of NUL bytes, yet text. UTF-32 first: its little-endian mark starts like UTF-16's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Without a mark, wide text is told by where its NUL bytes fall: ASCII in UTF-16LE is
# `c 0 c 0`, in UTF-32BE `0 0 0 c`. Per encoding: the code unit width and which byte of each
# unit is the low one (the one that is not NUL for ASCII).
_WIDE_UNITS = (("utf-32-le", 4, 0), ("utf-32-be", 4, 3), ("utf-16-le", 2, 0), ("utf-16-be", 2, 1))


_CONTROL = LazyPattern(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
"""Control characters that text does not hold (tab, newlines, form feed and escape aside)."""


def skip_reason(data: bytes) -> str | None:
    """Why content starting with `data` (the whole content, or at least its first `SNIFF`
    bytes) is not scanned as text, or None if it is text."""
    if b"\0" in data[:SNIFF] and wide_encoding(data) is None:
        return "binary"
    if is_lfs_pointer(data):
        return LFS_REASON
    return None


def is_lfs_pointer(data: bytes) -> bool:
    """Whether `data` is exactly a git-lfs pointer file (see `_LFS_POINTER`)."""
    return len(data) < LFS_POINTER_MAX and _LFS_POINTER.fullmatch(data) is not None


def decode(data: bytes) -> str:
    """UTF-8 where it is; anything else (Latin-1, broken bytes) decodes with replacement
    characters, which keeps every ASCII key intact and its column right on ASCII lines.
    A leading UTF-8 byte-order mark is dropped, so line-1 columns match what editors show."""
    text = data.decode("utf-8", "replace")
    return text[1:] if text.startswith("\ufeff") else text


def decode_file(data: bytes) -> str:
    """A whole file's text: `decode`, or the wide encoding it is written in."""
    encoding = wide_encoding(data)
    if encoding is None:
        return decode(data)
    return data.decode(encoding, "replace").removeprefix("\ufeff")


def wide_encoding(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 codec (with its byte order) that content starting with `data`
    is written in, from its byte-order mark or, without one, from its NUL pattern; None for
    anything else (UTF-8, binary)."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return encoding
    head = data[:SNIFF]
    if b"\0" not in head:
        return None
    for encoding, width, low in _WIDE_UNITS:
        if _looks_wide(head, width, low) and _decodes_as_text(head, encoding):
            return encoding
    return None


def _looks_wide(head: bytes, width: int, low: int) -> bool:
    """Most code units have their NUL bytes where ASCII text in this encoding puts them
    (non-ASCII letters may fill them), and the low bytes are practically never NUL."""
    units = len(head) // width
    if units < 2:
        return False
    body = head[: units * width]
    lows = body[low::width]
    if lows.count(0) * 50 > units:  # more than 2% NUL characters: not text
        return False
    high_zeros = sum(body[i::width].count(0) for i in range(width) if i != low)
    return high_zeros * 10 >= units * (width - 1) * 7  # at least 70% of the high bytes


def _decodes_as_text(head: bytes, encoding: str) -> bool:
    # Incremental: a character cut in two at the end of the sample is not an error.
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return len(_CONTROL.findall(text)) * 100 <= len(text)
