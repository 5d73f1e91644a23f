"""How long a 429 asks to wait, from each place providers put it, in order: the
Retry-After header (seconds or an HTTP date), the body, a reset-time header, else the
provider's default. Answers are built here because some shapes (an HTTP date, a header
that is neither) are ones the simulator's providers never send."""

from __future__ import annotations

import email.utils
import time

import pytest

from leakstop.providers.api import Call, KeyApi
from leakstop.rotation.engine import retry_after
from leakstop.rotation.http import Answer

API = KeyApi(
    auth_header="Authorization",
    auth_prefix="Bearer ",
    check=Call("GET", "/me"),
    rotate=None,
    retry_after_at=("error", "retry_after"),
    reset_header="X-RateLimit-Reset",
    default_retry_seconds=777,
)


def _answer(headers: dict[str, str], body: object = None) -> Answer:
    return Answer(429, headers, body)


def test_seconds_in_the_header() -> None:
    assert retry_after(API, _answer({"retry-after": " 42 "})) == 42


def test_an_http_date_in_the_header() -> None:
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 115 <= retry_after(API, _answer({"retry-after": later})) <= 120
    past = email.utils.formatdate(time.time() - 120, usegmt=True)
    assert retry_after(API, _answer({"retry-after": past})) == 0


@pytest.mark.parametrize("header", ["soon", "   ", "Wed, 99 Foo 2015"])
def test_an_unreadable_header_falls_through_to_the_body(header: str) -> None:
    body = {"error": {"retry_after": 30}}
    assert retry_after(API, _answer({"retry-after": header}, body)) == 30


def test_the_reset_header_when_the_body_has_no_number() -> None:
    reset = str(int(time.time()) + 60)
    for body in ({"error": {"retry_after": "soon"}}, {"error": {"retry_after": True}}, None):
        assert 55 <= retry_after(API, _answer({"x-ratelimit-reset": reset}, body)) <= 60


def test_the_default_when_nothing_says() -> None:
    assert retry_after(API, _answer({"x-ratelimit-reset": "tomorrow"})) == 777
    bare = KeyApi(auth_header="X", auth_prefix="", check=Call("GET", "/"), rotate=None)
    assert retry_after(bare, _answer({})) == bare.default_retry_seconds
