"""detect-secrets' inline allowlist comments, honoured exactly the way detect-secrets 1.x does.

- ``pragma: allowlist secret`` (or the older ``whitelist``) in a comment on the key's line;
- ``pragma: allowlist nextline secret`` in a comment that is alone on the line above.

The comment may start with ``#``, ``//``, ``/*``, ``'``, ``--`` or ``<!--`` (only ``#`` in
``.yaml`` files), and must be followed directly by the pragma: a pragma quoted inside a string
or after other words does not count, and a nextline pragma after code does not count either
(otherwise a line of code could silently allowlist the line below it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from leakstop.errors import LeakstopError

# (comment start, comment end) regex pairs, as in detect_secrets.filters.allowlist.
_COMMENTS = (
    ("#", ""),
    ("//", ""),
    (r"/\*", r" *\*/"),
    ("'", ""),
    ("--", ""),
    (r"<!--[# \t]*?", " *?-->"),
)


@cache
def _regexes(yaml: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    comments = _COMMENTS[:1] if yaml else _COMMENTS
    same = "|".join(
        rf"{start}[ \t]* *pragma: ?(?:allow|white)list[ -]secret.*?{end}[ \t]*$"
        for start, end in comments
    )
    nextline = "|".join(
        rf"^[ \t]*{start}[ \t]* *pragma: ?allowlist[ -]nextline[ -]secret.*?{end}[ \t]*$"
        for start, end in comments
    )
    return re.compile(same), re.compile(nextline)


def is_allowlisted(line: str, previous_line: str | None, path: str = "") -> bool:
    """A line carrying ``pragma: allowlist secret``, or following ``… nextline secret``."""
    same, nextline = _regexes(path.endswith(".yaml"))
    if "pragma" in line and same.search(line.rstrip("\r")):
        return True
    return (
        previous_line is not None
        and "pragma" in previous_line
        and nextline.search(previous_line.rstrip("\r")) is not None
    )


JUDGED_MODES = frozenset({"range", "pre-push", "pre-receive"})
"""Modes whose scanned text is what is being judged (new commits): there a pragma in that text
is not trusted unless asked for, since the commit that adds a key could add its pragma too."""

TRUST_ENV = "LEAKSTOP_TRUST_PRAGMAS"
_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"0", "false", "no", "off", ""})


def pragmas_trusted(mode: str, explicit: bool | None, environ: Mapping[str, str]) -> bool:
    """Whether inline pragmas suppress findings: `--trust-pragmas` / `--no-trust-pragmas`,
    else LEAKSTOP_TRUST_PRAGMAS, else yes for a checkout's own files, staged changes and
    history, no for new commits."""
    if explicit is not None:
        return explicit
    value = environ.get(TRUST_ENV)
    if value is None:
        return mode not in JUDGED_MODES
    if value.strip().lower() in _YES:
        return True
    if value.strip().lower() in _NO:
        return False
    raise LeakstopError(f"{TRUST_ENV} must be 1 or 0 (true/false, yes/no, on/off)")
