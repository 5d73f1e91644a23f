"""Answer detect-secrets' per-line question ("which keys are on line N of this file?") with
leakstop's own whole-file result.

detect-secrets does not always hand plugins the file's text: YAML files reach them as
`key: "value"` lines (comments and list items blanked), INI/TOML files lose their section
headers, and the `context` snippet is built from those transformed lines. A rule that needs
context (ECGrid's `[ecgrid]` section, an `ecgrid:` parent key) would then miss keys leakstop
reports. So the file is read and scanned once, exactly as `leakstop scan` reads and scans it,
and each call picks the hits on its line. The `context` snippet is only the fallback, for text
that is not a readable file (`detect-secrets scan --string`, the scan_diff API, binary files).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from detect_secrets.util.code_snippet import CodeSnippet

from leakstop.detect.confidence import CERTAIN
from leakstop.detect.engine import CONTEXT_LINES, Detector
from leakstop.findings import Block, Hit
from leakstop.providers import all_rules
from leakstop.providers.base import Rule
from leakstop.sources.files import read
from leakstop.sources.text import DEFAULT_MAX_BYTES


@dataclass
class _FilePass:
    """The hits of the file detect-secrets is walking through right now."""

    filename: str
    hits: dict[int, list[Hit]] | None
    """Hits by line, or None when leakstop would not scan the file as text."""
    line: int
    context: CodeSnippet | None = field(repr=False)
    """The last snippet seen: detect-secrets passes one snippet object to every plugin for a
    line, so a new object at a line not after the last one means a new pass over the file."""


_current: _FilePass | None = None


def hits_on_line(
    rule: Rule, filename: str, line: str, line_number: int, context: CodeSnippet | None
) -> list[Hit]:
    """The keys of `rule` that leakstop reports on line `line_number` of `filename`."""
    by_line = _file_hits(filename, line_number, context)
    if by_line is None:
        return _snippet_hits(rule, filename, line, line_number, context)
    found = [hit for hit in by_line.get(line_number, ()) if hit.rule == rule]
    if context is not None and context.target_index == len(context.lines) - 1:
        # The last line detect-secrets visits. A transformed YAML file ends at its last string
        # value, so keys below it (a trailing `- KEY=ek-…` list item) would never be asked for:
        # report them here, at this line, which audit can still index.
        found.extend(
            Hit(rule=h.rule, secret=h.secret, line=line_number, column=h.column)
            for later, hits in sorted(by_line.items())
            if later > line_number
            for h in hits
            if h.rule == rule
        )
    return found


def _file_hits(
    filename: str, line_number: int, context: CodeSnippet | None
) -> dict[int, list[Hit]] | None:
    global _current
    current = _current
    if (
        current is not None
        and current.filename == filename
        and (line_number > current.line or (context is not None and context is current.context))
    ):
        current.line, current.context = line_number, context
        return current.hits
    item = read(Path(filename), repo_path(filename), DEFAULT_MAX_BYTES)
    hits = None if not isinstance(item, Block) else _by_line(_detector().scan(item))
    _current = _FilePass(filename, hits, line_number, context)
    return hits


def _blocking(hits: Sequence[Hit]) -> list[Hit]:
    """What `leakstop scan` blocks on: detect-secrets has no lower confidence, and any
    finding fails its hook, so `possible` keys (reported, not blocking) are left out."""
    return [hit for hit in hits if hit.confidence == CERTAIN]


def _by_line(hits: Sequence[Hit]) -> dict[int, list[Hit]]:
    by_line: dict[int, list[Hit]] = {}
    for hit in _blocking(hits):
        by_line.setdefault(hit.line, []).append(hit)
    return by_line


def _snippet_hits(
    rule: Rule, filename: str, line: str, line_number: int, context: CodeSnippet | None
) -> list[Hit]:
    """Scan the line with the lines before it in the snippet (the engine's context window)."""
    before: list[str] = []
    if context is not None:
        target = context.target_index
        before = [_strip(x) for x in context.lines[max(0, target - CONTEXT_LINES) : target]]
    block = Block(
        path=repo_path(filename),
        text="\n".join([*before, _strip(line)]),
        first_line=line_number - len(before),
        added=frozenset({line_number}),
    )
    return _blocking(_rule_detector(rule).scan(block))


def _strip(line: str) -> str:
    return line.rstrip("\r\n")


@cache
def _detector() -> Detector:
    return Detector(all_rules())


@cache
def _rule_detector(rule: Rule) -> Detector:
    return Detector((rule,))


def repo_path(filename: str) -> str:
    """The path leakstop reports for `filename`: relative to its repository's top directory
    (rules such as ECGrid's ignore paths are written for those), else as given."""
    absolute = os.path.abspath(filename)
    root = _repo_root(os.path.dirname(absolute))
    if root is None:
        return Path(filename).as_posix()
    return Path(os.path.relpath(absolute, root)).as_posix()


@cache
def _repo_root(directory: str) -> str | None:
    if os.path.exists(os.path.join(directory, ".git")):
        return directory
    parent = os.path.dirname(directory)
    return None if parent == directory else _repo_root(parent)
