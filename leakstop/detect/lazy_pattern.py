"""A regular expression compiled when it is first used.

Compiling a pattern is pure Python work in `re` (about 0.7M instructions for the patterns
of detect/structure.py), and a module that holds many pays for all of them at import, on
the hook's path, though a scan uses only those its files call for (docs/design.md,
"Start-up cost"). `LazyPattern` has the `re.Pattern` methods the detectors use."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator


class LazyPattern:
    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        found = self._compiled
        if found is None:  # two threads may both compile: the same pattern either way
            found = self._compiled = re.compile(self._source, self._flags)
        return found

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(text, pos, endpos)

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text, pos, endpos)

    def findall(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> list[str]:
        found: list[str] = self.compiled.findall(text, pos, endpos)
        return found
