"""The detection engine: finds every key of every provider rule in a block of text.

It works on whole blocks (a file, a diff hunk) rather than line by line: each rule's regex
starts with a literal prefix, which Python's `re` finds with a fast substring search, so the
cost per byte stays low and the per-line Python work happens only around actual matches.

Everything done per match looks at a bounded neighbourhood of it (the line is found once and
shared by every match on it, context is looked for at most `CONTEXT_CHARS` back), so a 5 MB
minified line full of look-alikes costs time proportional to its size, never to its square.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from leakstop.detect.confidence import CERTAIN, Confidence
from leakstop.detect.decode import decoded_runs
from leakstop.detect.placeholders import is_placeholder, is_placeholder_value
from leakstop.findings import Block, Hit
from leakstop.lazy_pattern import LazyPattern
from leakstop.providers.base import Rule
from leakstop.suppress.pragma import is_allowlisted

CONTEXT_LINES = 5
"""How many lines above a key may carry the context a contextual rule needs."""
CONTEXT_LINES_AFTER = 2
"""How many lines below a key may carry it (`curl -H "X-API-Key: …" \\` then the URL)."""
CONTEXT_CHARS = 1024
"""How far (in characters) that context may be, however long those lines are."""
LABEL_CHARS = 120
"""How close to the key, on its own line, a rule's `line_context` (its label) must be."""

_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_HEX = frozenset("0123456789abcdefABCDEF")
_ELLIPSES = ("...", "…")


# Not frozen: internal, never changed once made, and a frozen class costs twice as much to
# create at import, on the hook's path (docs/design.md, "Start-up cost").
@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    rule: Rule
    previous_end: int
    """End of the previous match of the same rule (-1 if none): a label before this key
    must sit after it."""
    next_start: int
    """Start of the next match of the same rule (len(text) if none)."""


class Detector:
    """Runs a fixed set of rules; build it once and reuse it for every block.

    `pragmas=False` ignores inline allowlist comments: where the scanned text is what is being
    judged (a push), a comment in it must not be able to wave its own key through."""

    def __init__(self, rules: Sequence[Rule], pragmas: bool = True) -> None:
        self.rules = tuple(rules)
        self.pragmas = pragmas
        self._patterns = tuple(r.pattern for r in self.rules)

    def scan(self, block: Block) -> list[Hit]:
        hits = [hit for hit, _ in self._scan(block)]
        return hits + self._encoded(block, depth=1, found={(h.line, h.secret) for h in hits})

    def _scan(self, block: Block) -> list[tuple[Hit, int]]:
        text = block.text
        candidates: list[_Candidate] = []
        for rule in self.rules:
            if _rule_applies(rule, block, text):
                candidates.extend(_candidates(rule, text))
        if not candidates:
            return []
        candidates.sort(key=lambda c: c.start)
        return _confirm(block, candidates, self.pragmas)

    def _encoded(
        self,
        block: Block,
        depth: int,
        found: set[tuple[int, str]],
        span: tuple[int, int | None] = (0, None),
    ) -> list[Hit]:
        """Keys under one layer of encoding (two for a base64 docker config in a base64
        Secret), reported at the line and column where the encoded text starts: each run
        is put back decoded in place and the text judged again, so labels and scope
        around it still count. `span` limits the runs to part of the text."""
        text = block.text
        hits: list[Hit] = []
        lines: _Lines | None = None
        for run in decoded_runs(text, self._patterns, *span, layers=3 - depth):
            lines = lines if lines is not None and lines._pos <= run.start else None
            lines = lines or _Lines(text, block.first_line, block.path)
            lines.advance(run.start)
            if block.added is not None and lines.number not in block.added:
                continue
            line, column = lines.number, run.start - lines.start + 1
            inner = _substituted(block, run.start, run.end, run.text, line, column)
            region = range(run.start, run.start + len(run.text))
            scanned = self._scan(inner)
            nested = []
            if depth < 2 and not scanned:
                nested = self._encoded(inner, depth + 1, set(), (region.start, region.stop))
            for hit, offset in scanned:
                if offset in region and hit.secret not in text[run.start : run.end]:
                    hits.append(replace(hit, line=line, column=column))
            hits.extend(
                replace(hit, line=line, column=column)
                for hit in nested
                if hit.secret not in text[run.start : run.end]
            )
        unique: list[Hit] = []
        for hit in hits:
            if (hit.line, hit.secret) not in found:
                found.add((hit.line, hit.secret))
                unique.append(hit)
        return unique


def _substituted(block: Block, start: int, end: int, decoded: str, line: int, column: int) -> Block:
    """The block with `text[start:end]` replaced by its decoded form (every line reportable:
    only hits inside the replaced span are kept); its whole file gets the same change."""
    text = block.text[:start] + decoded + block.text[end:]
    whole = block.whole
    if whole is not None:
        reader = whole
        length = end - start

        def substituted_whole() -> str | None:
            full = reader()
            if full is None:
                return None
            offset = _offset_of(full, line, column)
            if offset is None or full[offset : offset + length] != block.text[start:end]:
                return None
            return full[:offset] + decoded + full[offset + length :]

        whole = substituted_whole
    return Block(block.path, text, block.first_line, None, whole=whole)


def _offset_of(text: str, line: int, column: int) -> int | None:
    """Offset of 1-based (line, column) in `text`."""
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return None
    return pos + column - 1


def _rule_applies(rule: Rule, block: Block, text: str) -> bool:
    path = block.path
    ignore = rule.ignore_paths_pattern
    if ignore is not None and ignore.search(path):
        return False
    if rule.structural:
        # Its scope may open outside a hunk: the whole file decides (`_Structure`).
        return block.whole is not None or all(
            c.search(text) or c.search(path) for c in rule.context_patterns
        )
    # A contextual rule whose context occurs nowhere in the block or path cannot match.
    return all(c.search(text) or c.search(path) for c in rule.context_patterns) and all(
        c.search(text) for c in rule.line_context_patterns
    )


def _candidates(rule: Rule, text: str) -> list[_Candidate]:
    spans = [
        (m.start(), m.end())
        for m in rule.pattern.finditer(text)
        if _stands_alone(text, m.start(), m.end())
    ]
    return [
        _Candidate(
            start,
            end,
            rule,
            spans[i - 1][1] if i > 0 else -1,
            spans[i + 1][0] if i + 1 < len(spans) else len(text),
        )
        for i, (start, end) in enumerate(spans)
    ]


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A key must not be part of a longer token on either side (`myek-…`, a body that runs
    on past the family's length)."""
    if end < len(text) and text[end] in _TOKEN_CHARS:
        return False
    if start == 0 or text[start - 1] not in _TOKEN_CHARS:
        return True
    return _after_escape(text, start)


def _after_escape(text: str, start: int) -> bool:
    """Escapes that glue a word character to the key: `\\nek-…` in a JSON string,
    `\\u0022ek-…` / `\\x22ek-…` in escaped source, `%3Dek-…` in a URL."""
    if text[start - 1] in "ntrbfv0" and _is_escape(text, start - 2):
        return True
    if start >= 3 and text[start - 3] == "%":
        return text[start - 2] in _HEX and text[start - 1] in _HEX
    if start >= 4 and text[start - 3] == "x" and _is_escape(text, start - 4):
        return text[start - 2] in _HEX and text[start - 1] in _HEX
    return (
        start >= 6
        and text[start - 5] == "u"
        and _is_escape(text, start - 6)
        and all(c in _HEX for c in text[start - 4 : start])
    )


def _is_escape(text: str, index: int) -> bool:
    """True if `text[index]` is a backslash that escapes the next character (an odd run)."""
    run = 0
    while index >= 0 and text[index] == "\\":
        run += 1
        index -= 1
    return run % 2 == 1


class _Lines:
    """Walks a block's lines forward in step with the (sorted) candidates, computing each
    line's number, bounds and allowlist state once, however many candidates it holds."""

    def __init__(self, text: str, first_line: int, path: str) -> None:
        self.text = text
        self.path = path
        self.number = first_line
        self.start = 0
        self._pos = 0
        self._end: int | None = None
        self._allowlisted: bool | None = None

    def advance(self, offset: int) -> None:
        if offset <= self._pos:
            return
        newlines = self.text.count("\n", self._pos, offset)
        if newlines:
            self.number += newlines
            self.start = self.text.rfind("\n", self._pos, offset) + 1
            self._end = self._allowlisted = None
        self._pos = offset

    @property
    def end(self) -> int:
        if self._end is None:
            found = self.text.find("\n", self._pos)
            self._end = len(self.text) if found < 0 else found
        return self._end

    @property
    def allowlisted(self) -> bool:
        if self._allowlisted is None:
            text, start = self.text, self.start
            previous = None
            if start > 0:
                previous = text[text.rfind("\n", 0, start - 1) + 1 : start - 1]
            self._allowlisted = is_allowlisted(text[start : self.end], previous, self.path)
        return self._allowlisted


def _confirm(
    block: Block, candidates: Sequence[_Candidate], pragmas: bool
) -> list[tuple[Hit, int]]:
    text = block.text
    lines = _Lines(text, block.first_line, block.path)
    structure: _Structure | None = None
    seen: set[tuple[int, str]] = set()
    hits: list[tuple[Hit, int]] = []
    for cand in candidates:
        lines.advance(cand.start)
        if block.added is not None and lines.number not in block.added:
            continue
        if block.span is not None and not block.span[0] <= cand.start < block.span[1]:
            continue
        rule = cand.rule
        secret = text[cand.start : cand.end]
        if (lines.number, secret) in seen or text.startswith(_ELLIPSES, cand.end):
            continue  # `sk_user_new_abc123…`: a truncated example, not a whole key
        if is_placeholder(secret[len(rule.prefix) :]) or is_placeholder_value(secret):
            continue
        confidence = CERTAIN
        if rule.structural:
            structure = structure or _Structure(block)
            verdict = structure.judge(rule, cand, lines)
            if verdict is None:
                continue
            confidence = verdict
        else:
            # Cheapest and most selective first: look-alikes in bulk fail the context checks.
            if rule.line_context and not _labelled(rule, text, cand, lines):
                continue
            if rule.context and not _has_context(rule, block.path, text, cand, lines):
                continue
            if rule.exclude_context and _excluded(rule, text, cand, lines):
                continue
        if pragmas and lines.allowlisted:
            continue
        seen.add((lines.number, secret))
        column = cand.start - lines.start + (block.first_column if lines.start == 0 else 1)
        hits.append((Hit(rule, secret, lines.number, column, confidence), cand.start))
    return hits


class _Structure:
    """Judges values of structural rules (scoped.py) on the whole file: the block itself,
    or for a hunk the file its `whole` reader returns (read once, on first need)."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self._whole: str | None = None
        self._starts: list[int] | None = None
        self._read = block.whole is None

    def judge(self, rule: Rule, cand: _Candidate, lines: _Lines) -> Confidence | None:
        # Imported on first need: most scans never meet a value of a structural rule.
        from leakstop.detect.scoped import judge
        from leakstop.detect.structure import LabelKind, label_of

        block = self.block
        text, start, end = block.text, cand.start, cand.end
        scope_words = rule.context_patterns[0] if rule.context_patterns else _NOTHING.compiled
        if not self._read:
            # A hunk: its own line may settle it without reading the whole file.
            label = label_of(text, start, end)  # no path: a hunk's first line is no header
            if label.kind is LabelKind.ID:
                return None  # named as an identifier
            if judge(scope_words, text, start, end, block.path, False, partial=True):
                return CERTAIN  # the label and structure in the hunk settle it
        whole = self._whole_text()
        if whole is not None:
            offset = self._offset(lines.number, cand.start - lines.start)
            length = end - start
            if offset is not None and whole[offset : offset + length] == text[start:end]:
                text, start, end = whole, offset, offset + length
            elif not any(c.search(text) or c.search(block.path) for c in rule.context_patterns):
                return None
        elif block.whole is not None and not all(
            c.search(text) or c.search(block.path) for c in rule.context_patterns
        ):
            return None  # the file could not be read, and the hunk holds no scope
        if not scope_words.search(text) and not scope_words.search(block.path):
            return None
        return judge(scope_words, text, start, end, block.path, _near(rule, text, start, end))

    def _whole_text(self) -> str | None:
        if not self._read:
            self._read = True
            assert self.block.whole is not None
            self._whole = self.block.whole()
        return self._whole

    def _offset(self, line: int, column: int) -> int | None:
        whole = self._whole
        assert whole is not None
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _NEWLINE.finditer(whole))]
        if not 1 <= line <= len(self._starts):
            return None
        return self._starts[line - 1] + column


_NOTHING = LazyPattern(r"(?!)")
"""Matches nowhere: the scope words of a rule without any."""

_NEWLINE = re.compile("\n")


def _near(rule: Rule, text: str, start: int, end: int) -> bool:
    """The rule's context in the lines around the value (the flat-file fallback)."""
    lines = _Lines(text, 1, "")
    # Only the line's bounds matter here, not its number: no count from the top.
    lines._pos, lines.start = start, text.rfind("\n", 0, start) + 1
    cand = _Candidate(start, end, rule, -1, len(text))
    before, after = _context_windows(text, cand, lines)
    return all(c.search(before) or c.search(after) for c in rule.context_patterns)


def _labelled(rule: Rule, text: str, cand: _Candidate, lines: _Lines) -> bool:
    """The key's own line names it as a credential, close to it: before it (and after the
    previous look-alike, so `"ApiKey": A, "Id": B` labels A only), or after it when it is the
    line's last look-alike (`KEY = "…"  # ECGrid API key`)."""
    before = text[max(lines.start, cand.previous_end, cand.start - LABEL_CHARS) : cand.start]
    after = ""
    if cand.next_start >= lines.end:
        after = text[cand.end : min(lines.end, cand.end + LABEL_CHARS)]
    return all(c.search(before) or c.search(after) for c in rule.line_context_patterns)


def _has_context(rule: Rule, path: str, text: str, cand: _Candidate, lines: _Lines) -> bool:
    """The rule's context occurs in the file path, near the key on its line, in the
    `CONTEXT_LINES` lines above it or the `CONTEXT_LINES_AFTER` lines below it (at most
    `CONTEXT_CHARS` away)."""
    before, after = _context_windows(text, cand, lines)
    return all(c.search(before) or c.search(after) or c.search(path) for c in rule.context_patterns)


def _context_windows(text: str, cand: _Candidate, lines: _Lines) -> tuple[str, str]:
    """The text before the key (its line and the lines above) and after it (the rest of its
    line and the lines below), each bounded in lines and characters."""
    low = max(0, cand.start - CONTEXT_CHARS)
    start = lines.start
    for _ in range(CONTEXT_LINES):
        if start <= low:
            break
        start = text.rfind("\n", low, start - 1) + 1
    stop = lines.end
    if stop - cand.end > LABEL_CHARS:
        stop = cand.end + LABEL_CHARS  # a long line: only what is near the key
    else:
        high = min(len(text), cand.end + CONTEXT_CHARS)
        for _ in range(CONTEXT_LINES_AFTER):
            if stop >= high:
                break
            found = text.find("\n", stop + 1, high)
            stop = high if found < 0 else found
        stop = min(stop, high)
    return text[max(start, low) : cand.start], text[cand.end : stop]


def _excluded(rule: Rule, text: str, cand: _Candidate, lines: _Lines) -> bool:
    """The key's own line says it belongs to another product, and not to this one."""
    near = (
        text[max(lines.start, cand.start - LABEL_CHARS) : cand.start],
        text[cand.end : min(lines.end, cand.end + LABEL_CHARS)],
    )
    if not any(c.search(part) for c in rule.exclude_context_patterns for part in near):
        return False
    return not any(c.search(part) for c in rule.context_patterns for part in near)
