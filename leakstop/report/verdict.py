"""How a `--verify` verdict and its reason are written, the same in every report format.

A verdict that is not definite (`unknown`) always carries why: the connection was refused,
the call timed out, the provider answered HTTP 503, and so on. JSON reports carry the reason
as `verified_detail` (the name DESIGN.md gives it) and `verify_reason` (the name of the
finding's field), both the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REASON_FIELDS = ("verified_detail", "verify_reason")


def fields(verified: str | None, reason: str | None) -> dict[str, str]:
    """The JSON record's verdict fields (none without --verify)."""
    if verified is None:
        return {}
    out = {"verified": verified}
    if reason:
        out |= dict.fromkeys(REASON_FIELDS, reason)
    return out


def reason_of(record: Mapping[str, Any]) -> str | None:
    """The reason in a JSON record, whichever name carries it (reports of older versions
    have none)."""
    for name in REASON_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def label(verified: str | None, reason: str | None) -> str:
    """ "live", "unknown: connection refused …" ("" without --verify)."""
    if not verified:
        return ""
    return f"{verified}: {reason}" if reason else verified
