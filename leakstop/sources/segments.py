"""A file too large to hold whole, read in pieces of bounded size.

Each piece becomes a block whose reportable part (`Block.span`) is the piece itself, with up
to `_CONTEXT` characters of the text before and after it as context only, so a key near a cut
is judged on the same neighbourhood as in a whole-file scan and is reported by exactly one
block. Pieces end at a line end where there is one; a line longer than a piece (a minified
bundle) is cut at a character no key can contain, and `Block.first_column` keeps columns
right. Memory stays about twice the piece size, whatever the file's size.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from leakstop.detect.engine import CONTEXT_CHARS, LABEL_CHARS
from leakstop.findings import Block
from leakstop.lazy_pattern import LazyPattern
from leakstop.sources.text import SNIFF, skip_reason, wide_encoding

MIN_PIECE = 8192
"""The smallest piece: several times the context kept around it."""
_READ = 1024 * 1024
_CONTEXT = CONTEXT_CHARS + LABEL_CHARS + 256
"""Characters kept on each side of a piece as context (more than any rule looks)."""


_CUT = LazyPattern(r"[^A-Za-z0-9_-]")
"""A character that cannot be part of a key: a line too long for one piece is cut there."""


def stream(handle: BinaryIO, name: str, piece: int) -> Iterator[Block | str]:
    """The blocks of the file open in `handle` (at its start), each reporting at most `piece`
    characters; or once the reason it is not text (binary), judged from its first bytes."""
    piece = max(piece, MIN_PIECE)
    head = handle.read(SNIFF)
    reason = skip_reason(head)
    if reason is not None:
        yield reason
        return
    decoder = codecs.getincrementaldecoder(wide_encoding(head) or "utf-8-sig")("replace")
    window = decoder.decode(head).removeprefix("\ufeff")  # a wide encoding's byte-order mark
    line, column, start = 1, 1, 0  # window[0] is at (line, column); pieces begin at `start`
    while True:
        data = handle.read(_READ)
        window += decoder.decode(data, final=not data)
        while len(window) - start >= piece + _CONTEXT or (not data and start < len(window)):
            cut = _cut(window, start, piece) if len(window) - start > piece else len(window)
            yield Block(
                path=name,
                text=window[: cut + _CONTEXT],
                first_line=line,
                span=(start, cut),
                first_column=column,
            )
            keep = max(0, cut - _CONTEXT)  # the context before the next piece
            newline = window.rfind("\n", 0, keep)
            line += window.count("\n", 0, keep)
            column = keep - newline if newline >= 0 else column + keep
            window, start = window[keep:], cut - keep
        if not data:
            return


def _cut(window: str, start: int, piece: int) -> int:
    """Where the piece that begins at `start` ends: after the last line end within `piece`
    characters, else at the last character no key contains, else at `piece` (inside a run
    of key characters longer than any key, which cannot hold a key standing alone)."""
    limit = start + piece
    newline = window.rfind("\n", start, limit)
    if newline >= 0:
        return newline + 1
    low = max(start + 1, limit - 4096)
    for found in reversed(list(_CUT.finditer(window, low, limit))):
        return found.start()
    return limit
