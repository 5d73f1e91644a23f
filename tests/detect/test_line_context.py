"""`Rule.line_context` on a rule judged by context windows (not by structure): the label
must sit on the key's own line, before it and after any earlier look-alike, or after it
when it is the line's last one. The built-in families use it only with structure, so the
contract is pinned here with a rule of its own (a made-up family, keys built at run time)."""

from __future__ import annotations

import secrets

from leakstop.detect.engine import Block, Detector
from leakstop.providers.base import Rule

RULE = Rule(
    id="acme-token",
    provider="acme",
    title="Acme token",
    prefix="",
    body=r"[0-9a-f]{24}",
    rotatable=False,
    guidance="revoke it",
    line_context=(r"acme[_ ]?token",),
)
DETECTOR = Detector([RULE])


def _token() -> str:
    return secrets.token_hex(12)


def _found(text: str) -> list[tuple[str, int]]:
    return [(h.secret, h.line) for h in DETECTOR.scan(Block("conf/app.txt", text))]


def test_a_label_before_the_value_names_it() -> None:
    token = _token()
    assert _found(f"x = 1\nACME_TOKEN = {token}\n") == [(token, 2)]


def test_a_label_before_an_earlier_lookalike_names_only_that_one() -> None:
    first, second = _token(), _token()
    assert _found(f'{{"acme_token": "{first}", "id": "{second}"}}\n') == [(first, 1)]


def test_a_trailing_label_names_the_last_value_on_its_line() -> None:
    first, last = _token(), _token()
    assert _found(f"{first} {last}  # acme token\n") == [(last, 1)]


def test_a_label_on_another_line_does_not_count() -> None:
    assert _found(f"# acme token below\nvalue = {_token()}\n") == []
