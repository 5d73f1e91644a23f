"""One layer of encoding around a key: base64 (Kubernetes Secret `data:`, docker `auths`,
`Basic` auth, `echo … | base64` output), percent-encoding and JSON/JS string escapes.

Only runs shaped like an encoding of a key are decoded (long enough to hold the shortest
key, in the encoding's alphabet), and a decoded run is kept only if it is text and holds
something a rule could match (a key prefix, or a GUID's dashes), so the cost on ordinary
text is one C-level search per encoding.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

_MIN_BASE64 = 32
"""base64 of the shortest key (24 bytes)."""
_BASE64 = re.compile(rf"[A-Za-z0-9+/_\-]{{{_MIN_BASE64},}}={{0,2}}")
_PERCENT = re.compile(r"(?:[A-Za-z0-9._~+\-]|%[0-9A-Fa-f]{2}){20,}")
_ESCAPED = re.compile(r"(?:[A-Za-z0-9_\-]|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\/){20,}")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})|\\(/)")
_PERCENT_GATE = re.compile(r"%[0-9A-Fa-f]{2}")
_ESCAPE_GATE = re.compile(r"\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\/")
_GUID_DASHES = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-")
_MAX_RUNS = 200
"""Decoded runs kept per text: beyond that a file is data, not configuration."""


ENCODED_MARKERS = (
    b'"auth"',
    b"Basic ",
    b"%2D",
    b"%2d",
    b"%5F",
    b"%5f",
    b"\\u002d",
    b"\\u002D",
    b"\\u005f",
    b"\\u005F",
    b"\\x2d",
    b"\\x2D",
    b"\\x5f",
    b"\\x5F",
)
"""Literals that mark text holding an encoding this module decodes (for streams, which are
searched for literals only)."""


def base64_anchors(prefix: bytes) -> set[bytes]:
    """The parts of base64 text that are the same whatever follows `prefix`, for each of
    the three places it can start in a 3-byte group (only parts of 4+ characters: shorter
    ones would match everywhere)."""
    found: set[bytes] = set()
    for shift in range(3):
        data = b"\0" * shift + prefix
        encoded = base64.b64encode(data)
        # Characters fully determined by the prefix: skip the first group's leading
        # characters that mix in the filler, drop the last that mixes in what follows.
        first = (shift * 8 + 5) // 6 if shift else 0
        last = (len(data) * 8) // 6
        stable = encoded[first:last]
        if len(stable) >= 4:
            found.add(stable)
    return found


@dataclass(frozen=True, slots=True)
class Decoded:
    start: int
    end: int
    """Where the encoded text is in the original."""
    text: str
    """What it decodes to."""


def decoded_runs(text: str, prefixes: tuple[str, ...]) -> Iterator[Decoded]:
    """Runs of `text` that decode (one layer) to text holding a key prefix or a GUID."""
    kept = 0
    for run in _candidates(text):
        if _holds_anchor(run.text, prefixes):
            yield run
            kept += 1
            if kept >= _MAX_RUNS:
                return


def _candidates(text: str) -> Iterator[Decoded]:
    for match in _BASE64.finditer(text):
        decoded = _base64(match.group())
        if decoded is not None:
            yield Decoded(match.start(), match.end(), decoded)
    if _PERCENT_GATE.search(text) is not None:
        for match in _PERCENT.finditer(text):
            run = match.group()
            if "%" in run:
                yield Decoded(match.start(), match.end(), _unquote(run))
    if _ESCAPE_GATE.search(text) is not None:
        for match in _ESCAPED.finditer(text):
            run = match.group()
            if "\\" in run:
                yield Decoded(match.start(), match.end(), _ESCAPE.sub(_unescape, run))


def _base64(run: str) -> str | None:
    standard = "+" in run or "/" in run
    urlsafe = "-" in run or "_" in run
    if standard and urlsafe:
        return None
    body = run.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        raw = (
            base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
        )
    except (binascii.Error, ValueError):
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if (
        not decoded.isprintable()
        and not decoded.replace("\n", "").replace("\r", "").replace("\t", "").isprintable()
    ):
        return None
    return decoded


def _unquote(run: str) -> str:
    from urllib.parse import unquote

    return unquote(run, errors="replace")


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code is None:
        return "/"
    return chr(int(code, 16))


def _holds_anchor(decoded: str, prefixes: tuple[str, ...]) -> bool:
    return any(p in decoded for p in prefixes) or _GUID_DASHES.search(decoded) is not None
