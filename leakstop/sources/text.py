"""Deciding whether bytes are scannable text, and decoding them without ever failing."""

from __future__ import annotations

import codecs

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Files larger than this are skipped and named in the report (a 5 MB bundle still scans)."""

_SNIFF = 8192
_LFS_POINTER = b"version https://git-lfs.github.com/spec/"
# Text with a byte-order mark in a wide encoding (PowerShell 5 writes UTF-16 by default):
# full of NUL bytes, yet text. UTF-32 first: its little-endian mark starts like UTF-16's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def skip_reason(head: bytes) -> str | None:
    """Why content starting with ``head`` is not scanned as text, or None if it is text."""
    if _wide_encoding(head) is None and b"\0" in head[:_SNIFF]:
        return "binary"
    if head.startswith(_LFS_POINTER):
        return "git-lfs pointer (content is stored outside git)"
    return None


def decode(data: bytes) -> str:
    """UTF-8 where it is; anything else (Latin-1, broken bytes) decodes with replacement
    characters, which keeps every ASCII key intact and its column right on ASCII lines.
    A leading UTF-8 byte-order mark is dropped, so line-1 columns match what editors show."""
    text = data.decode("utf-8", "replace")
    return text[1:] if text.startswith("\ufeff") else text


def decode_file(data: bytes) -> str:
    """A whole file's text: `decode`, or the wide encoding its byte-order mark names."""
    encoding = _wide_encoding(data)
    if encoding is None:
        return decode(data)
    return data.decode(encoding, "replace").removeprefix("\ufeff")


def _wide_encoding(head: bytes) -> str | None:
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            return encoding
    return None
