"""The detection engine: finds every key of every provider rule in a block of text.

It works on whole blocks (a file, a diff hunk) rather than line by line: each rule's regex
starts with a literal prefix, which Python's `re` finds with a fast substring search, so the
cost per byte stays low and the per-line Python work happens only around actual matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from leakstop.detect.placeholders import is_placeholder
from leakstop.providers.base import Rule
from leakstop.suppress.pragma import is_allowlisted

CONTEXT_LINES = 5
"""How many lines above a key may carry the context a contextual rule needs."""

_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class Hit:
    """One key found at a 1-based line and column of a block."""

    rule: Rule
    secret: str = field(repr=False)
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Block:
    """Text to scan: a whole file, or the context and added lines of one diff hunk."""

    path: str
    text: str
    first_line: int = 1
    added: frozenset[int] | None = None
    """Line numbers that may be reported (added lines of a diff); None means every line."""


class Detector:
    """Runs a fixed set of rules; build it once and reuse it for every block."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)

    def scan(self, block: Block) -> list[Hit]:
        text = block.text
        candidates: list[tuple[int, int, Rule]] = []
        for rule in self.rules:
            if not _rule_applies(rule, block, text):
                continue
            candidates.extend(
                (m.start(), m.end(), rule)
                for m in rule.pattern.finditer(text)
                if _stands_alone(text, m.start(), m.end())
            )
        if not candidates:
            return []
        candidates.sort(key=lambda c: c[0])
        return list(_confirm(block, candidates))


def _rule_applies(rule: Rule, block: Block, text: str) -> bool:
    ignore = rule.ignore_paths_pattern
    if ignore is not None and ignore.search(block.path):
        return False
    # A contextual rule whose context occurs nowhere in the block or path cannot match.
    return all(c.search(text) or c.search(block.path) for c in rule.context_patterns) and all(
        c.search(text) for c in rule.line_context_patterns
    )


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A key must not be part of a longer token on either side."""
    if end < len(text) and text[end] in _TOKEN_CHARS:
        return False
    if start == 0 or text[start - 1] not in _TOKEN_CHARS:
        return True
    # Escapes that glue a letter to the key: "\nek-…" in a JSON string, "%3Dek-…" in a URL.
    if start >= 2 and text[start - 2] == "\\" and text[start - 1] in "ntr":
        return True
    return start >= 3 and text[start - 3] == "%" and text[start - 2] in _HEX and (
        text[start - 1] in _HEX
    )


def _confirm(block: Block, candidates: Iterable[tuple[int, int, Rule]]) -> Iterable[Hit]:
    text = block.text
    line = block.first_line
    scanned_to = 0
    seen: set[tuple[int, str]] = set()
    for start, end, rule in candidates:
        line += text.count("\n", scanned_to, start)
        scanned_to = start
        if block.added is not None and line not in block.added:
            continue
        secret = text[start:end]
        if (line, secret) in seen or is_placeholder(secret[len(rule.prefix) :]):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_text = text[line_start : line_end if line_end >= 0 else len(text)]
        previous = _previous_line(text, line_start)
        if is_allowlisted(line_text, previous):
            continue
        if not all(c.search(line_text) for c in rule.line_context_patterns):
            continue
        if rule.context and not _has_context(rule, block.path, text, line_start, line_text):
            continue
        seen.add((line, secret))
        yield Hit(rule=rule, secret=secret, line=line, column=start - line_start + 1)


def _previous_line(text: str, line_start: int) -> str | None:
    if line_start == 0:
        return None
    return text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1]


def _has_context(rule: Rule, path: str, text: str, line_start: int, line_text: str) -> bool:
    window_start = line_start
    for _ in range(CONTEXT_LINES):
        if window_start == 0:
            break
        window_start = text.rfind("\n", 0, window_start - 1) + 1
    window = text[window_start:line_start] + line_text
    return all(c.search(window) or c.search(path) for c in rule.context_patterns)
