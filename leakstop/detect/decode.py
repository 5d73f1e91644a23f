"""One layer of encoding around a key: base64 (Kubernetes Secret `data:`, docker `auths`,
`Basic` auth, `echo … | base64` output), percent-encoding and JSON/JS string escapes.

Only runs shaped like an encoding of a key are decoded (long enough to hold the shortest
key, in the encoding's alphabet), and a decoded run is kept only if it is text and holds
something a rule could match (a key prefix, or a GUID's dashes), so the cost on ordinary
text is one C-level search per encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_MIN_BASE64 = 32
"""base64 of the shortest key (24 bytes)."""
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"
_MASK = bytes(1 if byte in _ALPHABET else 0 for byte in range(256))
_RUN = b"\x01" * _MIN_BASE64
_PERCENT = r"(?:[A-Za-z0-9._~+\-]|%[0-9A-Fa-f]{2}){20,}"
_ESCAPED = r"(?:[A-Za-z0-9_\-]|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\/){20,}"
_ESCAPE = r"\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})|\\(/)"
_PERCENT_GATE = r"%[0-9A-Fa-f]{2}"
_URL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+-%")
_ESCAPED_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-\\/")
_ESCAPE_GATE = r"\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\/"
_MAX_RUNS = 200
"""Decoded runs kept per text: beyond that a file is data, not configuration."""


ENCODED_MARKERS = (
    b"kind: Secret",  # a Kubernetes Secret: its `data:` values are base64
    b'"auth":',  # docker config `auths`
)
ENCODED_PATTERNS = (
    rb"Basic [A-Za-z0-9+/]{24}",  # a basic-auth header's credentials
    rb"%(?<=[A-Za-z0-9]%)(?:2[dD]|5[fF])[A-Za-z0-9]{4}",  # a key's `-`/`_` percent-encoded
    rb"\\(?:u00(?:2[dD]|5[fF])|x(?:2d|5f))",  # the same as a JSON/JS escape
    # A GUID in base64 (`ECGRID_API_KEY=<base64>`, a JSON blob encoded whole): whatever its
    # hex digits, its four dashes fix four characters of the encoding, which ones depending
    # on where the GUID starts in the encoded bytes (offset mod 3): t, 0|1, L, t; or L, t,
    # 0|1, L; or 0|1, L, t, 0|1. Each holds an `L`, the rarest of them in text: the search is
    # led by it (lookbehinds check what comes before), a third of the time of one led by `t`.
    rb"L(?:(?<=t[A-Za-z0-9+/_-]{6}[01][A-Za-z0-9+/_-]{5}L)[A-Za-z0-9+/_-]{6}t"
    rb"|[A-Za-z0-9+/_-]{6}t[A-Za-z0-9+/_-]{6}[01][A-Za-z0-9+/_-]{5}L"
    rb"|(?<=[01][A-Za-z0-9+/_-]{5}L)[A-Za-z0-9+/_-]{6}t[A-Za-z0-9+/_-]{6}[01])",
)
"""What marks text holding an encoding this module decodes, for streams of patches: each is
one C-speed pass over the stream, so they are few, literal-led, and rare in code."""


def base64_anchor(prefix: bytes) -> bytes:
    """The first characters of base64 text that starts with `prefix` and that do not
    depend on what follows it (a value encoded whole: a Secret's `data`, `echo … | base64`)."""
    import base64

    stable = base64.b64encode(prefix)[: len(prefix) * 8 // 6]
    return stable[:4]


# Not frozen: internal, never changed once made, and a frozen class costs twice as much to
# create at import, on the hook's path (docs/design.md, "Start-up cost").
@dataclass(slots=True)
class Decoded:
    start: int
    end: int
    """Where the encoded text is in the original."""
    text: str
    """What it decodes to."""


def decoded_runs(
    text: str,
    patterns: tuple[re.Pattern[str], ...],
    start: int = 0,
    end: int | None = None,
    layers: int = 1,
) -> Iterator[Decoded]:
    """Runs of `text[start:end]` that decode to text a key pattern matches, through at
    most `layers` layers (a docker config's `auth` inside a base64 `.dockerconfigjson`)."""
    kept = 0
    part = text[start:end] if start or end is not None else text
    for run in _candidates(part):
        if any(p.search(run.text) for p in patterns) or (
            layers > 1 and next(decoded_runs(run.text, patterns, layers=layers - 1), None)
        ):
            yield Decoded(run.start + start, run.end + start, run.text)
            kept += 1
            if kept >= _MAX_RUNS:
                return


def _candidates(text: str) -> Iterator[Decoded]:
    for start, end in _base64_runs(text):
        decoded = _base64(text[start:end])
        if decoded is not None:
            yield Decoded(start, end, decoded)
    # The patterns are compiled on first use (re caches them): not on most pre-commit runs.
    if "%" in text:
        for start, end in _runs_around(text, _PERCENT_GATE, _PERCENT, _URL_CHARS):
            yield Decoded(start, end, _unquote(text[start:end]))
    if "\\" in text:
        for start, end in _runs_around(text, _ESCAPE_GATE, _ESCAPED, _ESCAPED_CHARS):
            yield Decoded(start, end, re.sub(_ESCAPE, _unescape, text[start:end]))


def _runs_around(
    text: str, gate: str, run: str, chars: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """Runs of `run` that hold a `gate` match (an escape): found from each escape (a
    literal-led, C-speed search) by stepping back over the run's characters, so the slow
    character-class pattern only ever runs on the few places that hold one."""
    done = 0
    run_pattern = re.compile(run)
    for escape in re.finditer(gate, text):
        if escape.start() < done:
            continue
        left = escape.start()
        while left > done and text[left - 1] in chars and escape.start() - left < 256:
            left -= 1
        for match in run_pattern.finditer(text, left, min(len(text), escape.end() + 4096)):
            if match.end() > escape.start():
                done = match.end()
                if match.start() <= escape.start():
                    yield match.start(), match.end()
                break


def _base64_runs(text: str) -> Iterator[tuple[int, int]]:
    """Spans of base64 characters (either alphabet) at least `_MIN_BASE64` long, with their
    `=` padding. Found on a byte mask of the text (one character per byte, so offsets
    hold) with C-speed searches: a character-class regex would be several times slower."""
    mask = text.encode("ascii", "replace").translate(_MASK)
    pos = mask.find(_RUN)
    while pos >= 0:
        end = mask.find(b"\x00", pos)
        end = len(mask) if end < 0 else end
        stop = end
        while stop < len(text) and stop - end < 2 and text[stop] == "=":
            stop += 1
        yield pos, stop
        pos = mask.find(_RUN, end)


def _base64(run: str) -> str | None:
    import base64  # only for a run shaped like base64: not on most pre-commit runs

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
    except ValueError:  # binascii.Error included
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
