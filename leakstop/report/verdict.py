"""How a `--verify` verdict and its reason are written, the same in every report format.

A verdict that is not definite (`unknown`) always carries why: the connection was refused,
the call timed out, the provider answered HTTP 503, and so on. JSON reports carry the reason
as `verified_detail` (the name DESIGN.md gives it) and `verify_reason` (the name of the
finding's field), both the same text (report/records.py).
"""

from __future__ import annotations


def label(verified: str | None, reason: str | None) -> str:
    """ "live", "unknown: connection refused …" ("" without --verify)."""
    if not verified:
        return ""
    return f"{verified}: {reason}" if reason else verified
