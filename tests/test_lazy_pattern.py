"""LazyPattern compiles on first use and answers as the compiled pattern would (str and
bytes)."""

from __future__ import annotations

import re

import pytest

from leakstop.detect import structure
from leakstop.lazy_pattern import LazyPattern

TEXT = "api_key = a1\nAPI_KEY = b2\nother = c3\n"


def test_a_pattern_is_compiled_on_first_use_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real_compile = re.compile

    def counting(source: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(source)
        return real_compile(source, flags)

    monkeypatch.setattr(re, "compile", counting)
    lazy = LazyPattern(r"(?i)api_key = (\w+)")
    assert compiled == []
    assert lazy.search(TEXT) is not None
    assert lazy.findall(TEXT) == ["a1", "b2"]
    assert compiled == [r"(?i)api_key = (\w+)"]


@pytest.mark.parametrize(("pos", "endpos"), [(0, len(TEXT)), (5, len(TEXT)), (13, 25)])
def test_each_method_answers_as_re_does(pos: int, endpos: int) -> None:
    source, flags = r"^(\w+) = (\w+)$", re.MULTILINE | re.IGNORECASE
    lazy, real = LazyPattern(source, flags), re.compile(source, flags)

    def spans(found: re.Match[str] | None) -> tuple[int, int] | None:
        return found.span() if found else None

    assert spans(lazy.search(TEXT, pos, endpos)) == spans(real.search(TEXT, pos, endpos))
    assert spans(lazy.match(TEXT, pos, endpos)) == spans(real.match(TEXT, pos, endpos))
    assert [m.span() for m in lazy.finditer(TEXT, pos, endpos)] == [
        m.span() for m in real.finditer(TEXT, pos, endpos)
    ]
    assert lazy.findall(TEXT, pos, endpos) == real.findall(TEXT, pos, endpos)
    assert spans(lazy.fullmatch(TEXT, pos, endpos)) == spans(real.fullmatch(TEXT, pos, endpos))


def test_a_bytes_pattern_answers_in_bytes() -> None:
    lazy, data = LazyPattern(rb"oid sha256:([0-9a-f]{4})"), b"x\noid sha256:beef\n"
    found = lazy.search(data)
    assert found is not None and found.group(1) == b"beef"
    assert lazy.fullmatch(b"oid sha256:beef") is not None and lazy.fullmatch(data) is None


def test_the_structure_patterns_all_compile() -> None:
    """A typo in a pattern would otherwise surface only on the first file that needs it."""
    values = list(vars(structure).values())
    values += [item for value in values if isinstance(value, tuple) for item in value]
    lazy = [value for value in values if isinstance(value, LazyPattern)]
    assert len(lazy) >= 30
    for pattern in lazy:
        assert isinstance(pattern.compiled, re.Pattern)
