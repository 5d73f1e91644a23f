"""Recognise the obvious stand-ins that documentation and templates use instead of real keys."""

from __future__ import annotations

_WORDS = (
    "xxxx",
    "your",
    "example",
    "placeholder",
    "redacted",
    "dummy",
    "changeme",
    "sample",
    "fake",
    "insert",
    "replace",
    "here",
)
# Runs of eight that a random body essentially never contains, but hand-typed ones do.
_SEQUENCES = (
    "0123456789abcdefghijklmnopqrstuvwxyz",
    "1234567890abcdef",
    "1234567890",
    "fedcba9876543210",
    "9876543210",
    "zyxwvutsrqponmlkjihgfedcba",
    "qwertyuiopasdfghjklzxcvbnm",
)
_RUN = 8
_SEQUENCE_RUNS = frozenset(
    seq[i : i + _RUN] for seq in _SEQUENCES for i in range(len(seq) - _RUN + 1)
)


def is_placeholder(body: str) -> bool:
    """True for a key body that is a template value rather than a generated secret."""
    text = body.lower().replace("-", "").replace("_", "")
    if len(set(text)) <= 3:
        return True
    if any(word in text for word in _WORDS):
        return True
    if any(text[i : i + _RUN] in _SEQUENCE_RUNS for i in range(len(text) - _RUN + 1)):
        return True
    return _is_periodic(text)


def _is_periodic(text: str) -> bool:
    """A body made of one short chunk repeated (``abcdabcd…``) was typed, not generated."""
    for period in range(1, len(text) // 2 + 1):
        if all(text[i] == text[i - period] for i in range(period, len(text))):
            return True
    return False
