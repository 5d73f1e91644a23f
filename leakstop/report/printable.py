"""Text from a scanned repository (file names, author names) made safe for a terminal line."""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control characters (newline, CR, ESC), format characters (bidi overrides), lone
surrogates (the undecodable bytes of a non-UTF-8 name), line and paragraph separators."""


def printable(text: str) -> str:
    """`text` with each character that could break or recolour a report line written as an
    escape: `\\n`, `\\x1b`, `\\u202e`; an undecodable byte as `\\xNN`. Other text is kept."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _UNSAFE else c for c in text)


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
