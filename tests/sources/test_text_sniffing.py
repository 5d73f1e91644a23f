"""Telling wide text (UTF-16/UTF-32 without a byte-order mark) from binary at the edges:
too short to judge, and shaped like UTF-16 but not decodable as it."""

from __future__ import annotations

from leakstop.sources.text import decode_file, skip_reason, wide_encoding


def test_a_sample_too_short_to_judge_is_binary() -> None:
    for data in (b"a\x00", b"\x00a", b"a\x00b"):
        assert wide_encoding(data) is None
        assert skip_reason(data) == "binary"
    assert wide_encoding("ab".encode("utf-16-le")) == "utf-16-le"  # two units suffice


def test_utf16_shaped_bytes_that_do_not_decode_are_binary() -> None:
    text = "token = value\n" * 4
    broken = text.encode("utf-16-le") + b"\x00\xdc" + text.encode("utf-16-le")  # lone surrogate
    assert wide_encoding(broken) is None
    assert skip_reason(broken) == "binary"
    whole = (text * 2).encode("utf-16-le")
    assert wide_encoding(whole) == "utf-16-le"
    assert decode_file(whole) == text * 2
