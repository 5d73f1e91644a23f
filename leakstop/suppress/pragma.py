"""detect-secrets' inline allowlist comments, honoured the way detect-secrets honours them."""

from __future__ import annotations

import re

_SAME_LINE = re.compile(r"pragma:\s*allowlist[ -]secret", re.IGNORECASE)
_NEXT_LINE = re.compile(r"pragma:\s*allowlist[ -]nextline[ -]secret", re.IGNORECASE)


def is_allowlisted(line: str, previous_line: str | None) -> bool:
    """A line carrying ``pragma: allowlist secret``, or following ``… nextline secret``."""
    if "allowlist" in line and _SAME_LINE.search(line):
        return True
    return previous_line is not None and "allowlist" in previous_line and bool(
        _NEXT_LINE.search(previous_line)
    )
