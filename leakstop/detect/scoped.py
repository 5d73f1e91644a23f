"""The verdict on a value of a prefix-less key family (ECGrid's GUIDs): a key, a possible
key, or not a key, from its label and its scope (detect/structure.py).

| label                          | scope                                  | verdict  |
|--------------------------------|----------------------------------------|----------|
| an identifier (`X-Request-Id`) | any                                    | none     |
| a credential (`ApiKey`)        | label, structure, its own object or    | certain  |
|                                |   command, or nearby (flat file)       |          |
| a credential                   | only the path (or the file's title)    | certain  |
|                                |   (possible under test paths)          |          |
| a credential                   | only elsewhere in the file             | possible |
| other (`value`, a bare item)   | its label or an enclosing section      | possible |
| other, or words of free text   | weaker                                 | none     |

Under test paths (`tests/`, `fixtures/`, `testdata/`, migrations) a value needs a credential
label: path rules silence unlabelled GUIDs there, never labelled keys.
"""

from __future__ import annotations

import re

from leakstop.detect.confidence import CERTAIN, POSSIBLE, Confidence
from leakstop.detect.structure import (
    Enclosure,
    LabelKind,
    Scope,
    classify,
    enclosure,
    label_of,
    names_another_product,
    scope_name,
    titles,
)

_TEST_PATHS = re.compile(
    r"(^|/)(tests?|__tests__|spec|specs|fixtures?|__fixtures__|testdata|test_data|"
    r"test-data|migrations?|alembic/versions|db/migrate)/",
    re.IGNORECASE,
)


def judge(
    scope_words: re.Pattern[str],
    text: str,
    start: int,
    end: int,
    path: str,
    near: bool,
    partial: bool = False,
) -> Confidence | None:
    """`CERTAIN`, `POSSIBLE` or None for the value at `text[start:end]` of file `path`;
    `near` says whether the scope words occur in the few lines around it. With `partial`
    (`text` is a hunk, not the whole file) only a verdict the hunk alone settles is given
    (`CERTAIN` from the label or the structure around the value); None means: read more."""
    label = label_of(text, start, end, "" if partial else path)
    if label.kind is LabelKind.ID:
        return None
    found = enclosure(text, start, end)
    named = [n for n in (scope_name(h) for h in found.heads) if n]
    if label.kind is not LabelKind.KEY and named and classify(named[0]) is LabelKind.ID:
        return None  # `variable "ecgrid_request_id" { default = … }`: the block names an id
    credential = label.kind is LabelKind.KEY or (
        # `api_keys: {ecgrid: GUID}`: a product name under a credential name
        bool(named) and classify(named[0]) is LabelKind.KEY
    )
    if _TEST_PATHS.search(path) is not None and not credential:
        return None
    scope = _scope(scope_words, text, start, path, label.name, found, near)
    if partial:
        strong = scope is Scope.STRONG or scope is Scope.UNIT
        return CERTAIN if credential and strong else None
    if not credential:
        # A value bound to a plain name in an ECGrid section: a key, or an id named oddly.
        return POSSIBLE if scope is Scope.STRONG and label.bound else None
    if scope is Scope.STRONG or scope is Scope.UNIT:
        return CERTAIN
    if names_another_product(label.name):
        return None  # `STRIPE_API_KEY`, `HEROKU_API_KEY`: someone else's key
    if scope is Scope.PATH:  # the file is ECGrid's, whatever its sections are called
        return POSSIBLE if _TEST_PATHS.search(path) else CERTAIN
    if named and names_another_product(named[0], parent=True):
        return None  # `payments: {api_key: …}` beside an ECGrid section: someone else's
    if scope is Scope.NEAR:
        return CERTAIN
    return POSSIBLE if scope is Scope.ELSEWHERE else None


def _scope(
    scope_words: re.Pattern[str],
    text: str,
    start: int,
    path: str,
    label: str,
    found: Enclosure,
    near: bool,
) -> Scope:
    if scope_words.search(label):
        return Scope.STRONG
    if any(scope_words.search(h) for h in found.heads):
        return Scope.STRONG
    if any(scope_words.search(u) for u in found.units):
        return Scope.UNIT
    if scope_words.search(path) or any(scope_words.search(t) for t in titles(text, start)):
        return Scope.PATH
    if near:
        return Scope.NEAR
    return Scope.ELSEWHERE if scope_words.search(text) else Scope.NONE
