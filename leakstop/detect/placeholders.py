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
    "cafebabe",
    "feedface",
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


# Example values that documentation, specs and generators print (the Swagger UI sample, the
# RFC 4122 namespaces, Wikipedia's and popular libraries' README examples): never secrets.
_DOCUMENTED_VALUES = frozenset(
    (
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "123e4567-e89b-12d3-a456-426614174000",
        "123e4567-e89b-12d3-a456-426655440000",
        "550e8400-e29b-41d4-a716-446655440000",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
        "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
        "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "de305d54-75b4-431b-adb2-eb6b9e546014",
        "c56a4180-65aa-42ec-a945-5fd21dec0538",
        "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
        "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b",
        "3b241101-e2bb-4255-8caf-4136c566a962",
        "00112233-4455-6677-8899-aabbccddeeff",
        "d9428888-122b-11e1-b85c-61cd3cbb3210",
        "a8098c1a-f86e-11da-bd1a-00112444be1e",
        "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"[9:],
        "38400000-8cf0-11bd-b23e-10b96e4ef00d",
        "109156be-c4fb-41ea-b1b4-efe1671c5836",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "16fd2706-8baf-433b-82eb-8c7fada847da",
        "886313e1-3b8a-5372-9b90-0c9aee199e5d",
        "6fa459ea-ee8a-3ca4-894e-db77e160355e",
        "936da01f-9abd-4d9d-80c7-02af85c822a8",
        "ca761232-ed42-11ce-bacd-00aa0057b223",
        "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "7d444840-9dc0-11d1-b245-5ffdce74fad2",
    )
)


def is_placeholder_value(value: str) -> bool:
    """True for a whole value that documentation uses as its example (the Swagger sample
    GUID `3fa85f64-…`, RFC and README examples)."""
    return value.lower() in _DOCUMENTED_VALUES


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
