"""Deciding whether bytes are scannable text, and decoding them without ever failing."""

from __future__ import annotations

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Files larger than this are skipped and named in the report (a 5 MB bundle still scans)."""

_SNIFF = 8192
_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def skip_reason(head: bytes) -> str | None:
    """Why content starting with ``head`` is not scanned as text, or None if it is text."""
    if b"\0" in head[:_SNIFF]:
        return "binary"
    if head.startswith(_LFS_POINTER):
        return "git-lfs pointer (content is stored outside git)"
    return None


def decode(data: bytes) -> str:
    """UTF-8 where it is; anything else (Latin-1, broken bytes) decodes with replacement
    characters, which keeps every ASCII key intact and its column right on ASCII lines."""
    return data.decode("utf-8", "replace")
