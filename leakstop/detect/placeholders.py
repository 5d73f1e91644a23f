"""Recognise the obvious stand-ins that documentation and templates use instead of real keys.

Every test here looks at the key's body (the part after the family prefix). Each one is
something a hand-typed or templated value does and a generated secret essentially never does
(the odds for a random 32-character alphanumeric body are well under one in ten thousand).
"""

from __future__ import annotations

import re

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
    "mock",
    "notreal",
    "invalid",
    "secret",
    "abc123",
    "123abc",
    "a1b2c3",
    "deadbeef",
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
# One character typed over and over (`0000000000…`, `aaaaaaaa…`), anywhere in the body.
_REPEATED = re.compile(rf"(.)\1{{{_RUN - 1}}}")
# Names rather than values: `SYNCLINE_USER_KEY`, `my_api_key_value`, `YourSynclineKey`.
_WORD = re.compile("|".join(_WORDS))
_IDENTIFIER = re.compile(r"[A-Z]+(?:_[A-Z]+)*|[A-Za-z]+(?:_[A-Za-z]+)+|(?:[A-Z][a-z]{2,}){3,}")


def is_placeholder(body: str) -> bool:
    """True for a key body that is a template value rather than a generated secret."""
    if _IDENTIFIER.fullmatch(body):
        return True
    plain = body.replace("-", "").replace("_", "")
    text = plain.lower()
    if len(set(text)) <= 3 or _REPEATED.search(text):
        return True
    if any(_typed(plain[m.start() : m.end()]) for m in _WORD.finditer(text)):
        return True
    runs = _SEQUENCE_RUNS
    if any(text[i : i + _RUN] in runs for i in range(len(text) - _RUN + 1)):
        return True
    # Periodic (`abcdabcd…`): the text equals itself shifted by one period.
    return any(text[period:] == text[:-period] for period in range(1, len(text) // 2 + 1))


def _typed(word: str) -> bool:
    """A word as people type it (`here`, `HERE`, `Here`), not a random mix like `hErE`."""
    return word.islower() or word.isupper() or word[1:].islower()
