"""A regular expression compiled when it is first used.

Compiling a pattern is pure-Python work in `re` (about 0.7M instructions for one of
detect/structure.py's), and a module pays for every pattern it compiles at import, on the
hook's path, though a scan uses only those its files call for (docs/design.md, "Start-up
cost"). `LazyPattern` has the `re.Pattern` methods leakstop calls; `compiled` is the
pattern itself, for code that takes one."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import AnyStr, Generic


class LazyPattern(Generic[AnyStr]):
    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: AnyStr, flags: int = 0) -> None:
        self._source: AnyStr = source
        self._flags = flags
        self._compiled: re.Pattern[AnyStr] | None = None

    @property
    def compiled(self) -> re.Pattern[AnyStr]:
        found = self._compiled
        if found is None:  # two threads may both compile: the same pattern either way
            found = self._compiled = re.compile(self._source, self._flags)
        return found

    def search(
        self, text: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[AnyStr] | None:
        return self.compiled.search(text, pos, endpos)

    def match(
        self, text: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[AnyStr] | None:
        return self.compiled.match(text, pos, endpos)

    def fullmatch(
        self, text: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[AnyStr] | None:
        return self.compiled.fullmatch(text, pos, endpos)

    def finditer(
        self, text: AnyStr, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[AnyStr]]:
        return self.compiled.finditer(text, pos, endpos)

    def findall(self, text: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> list[AnyStr]:
        found: list[AnyStr] = self.compiled.findall(text, pos, endpos)
        return found
