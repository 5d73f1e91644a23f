"""New keys in each provider's documented shape, and the one-way hash the logs keep."""

from __future__ import annotations

import secrets
import string
import uuid

from leakstop.secrets_text import hashed_secret

_ALNUM = string.ascii_letters + string.digits

__all__ = ["alnum", "guid", "hashed_secret", "lower_hex"]


def lower_hex(n: int) -> str:
    return secrets.token_hex((n + 1) // 2)[:n]


def alnum(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def guid() -> str:
    return str(uuid.uuid4())
