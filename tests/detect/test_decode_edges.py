"""Encoded keys at the edges of what is decoded: text with control characters is not
text, line breaks inside it are; an escaped slash beside an escaped key; and the bound on
decoded runs per text, past which a file is data."""

from __future__ import annotations

import base64

from leakstop.detect.engine import Block, Detector
from leakstop.providers import all_rules
from tests.testing import new_key

DETECTOR = Detector(all_rules())


def _b64(data: str) -> str:
    return base64.b64encode(data.encode()).decode()


def _found(text: str, path: str = "deploy/secret.yaml") -> list[tuple[str, int]]:
    return [(h.secret, h.line) for h in DETECTOR.scan(Block(path, text))]


def test_decoded_text_may_hold_line_breaks_but_no_control_characters() -> None:
    kept, dropped = new_key("syncline-user-key"), new_key("syncline-user-key")
    text = (
        f"token: {_b64('SYNCLINE_KEY=' + kept + chr(10) + 'MORE=1' + chr(13) + chr(10))}\n"
        f"blob: {_b64(chr(7) + dropped + chr(0))}\n"
    )
    assert _found(text) == [(kept, 1)]


def test_an_escaped_slash_before_an_escaped_key() -> None:
    key = new_key("electronhub-api-key")
    escaped = key.replace("-", "\\u002d")
    assert _found(f'{{"path": "\\/\\/{escaped}"}}\n', "app/config.json") == [(key, 1)]


def test_at_most_two_hundred_decoded_runs_per_text() -> None:
    keys = [new_key("scrapebit-api-key") for _ in range(205)]
    text = "kind: Secret\ndata:\n" + "".join(f"  k{i}: {_b64(k)}\n" for i, k in enumerate(keys))
    found = _found(text)
    assert found == [(k, i + 3) for i, k in enumerate(keys[:200])]
