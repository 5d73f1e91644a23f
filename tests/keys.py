"""Sample keys built at run time (prefix + random body), so the repository itself never
holds a key-shaped literal that leakstop (or anyone's scanner) would flag."""

from __future__ import annotations

import secrets
import string
import uuid

from leakstop.detect.placeholders import is_placeholder

_ALNUM = string.ascii_letters + string.digits

# rule id -> (prefix, body factory)
_FAMILIES = {
    "electronhub-api-key": ("ek-", lambda: _alnum(32)),
    "electronhub-proxy-key": ("ek-proxy-", lambda: _alnum(24)),
    "electronhub-dev-key": ("ek-dev-", lambda: _alnum(24)),
    "syncline-user-key": ("sk_user_", lambda: _alnum(32)),
    "syncline-platform-key": ("sk_live_", lambda: _alnum(32)),
    "scrapebit-api-key": ("sb_live_", lambda: _alnum(32)),
    "scrapebit-test-key": ("sb_test_", lambda: _alnum(32)),
    "ecgrid-api-key": ("", lambda: str(uuid.uuid4())),
}

RULE_IDS = tuple(_FAMILIES)


def _alnum(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def new_key(rule_id: str) -> str:
    """A fresh random key of the family `rule_id` (never a placeholder lookalike)."""
    prefix, body = _FAMILIES[rule_id]
    while True:
        value = body()
        if not is_placeholder(value):
            return prefix + value


def hex_key(prefix: str, n: int = 32) -> str:
    return prefix + secrets.token_hex(n // 2)
