"""Replacements for detect-secrets' default heuristic filters that would drop leakstop's keys.

A baseline lists filters by import path (`leakstop.plugin.filters.is_potential_uuid`);
`leakstop init` swaps each stock entry in `STOCK_REPLACEMENTS` for ours. Every replacement
gives the stock answer for every other plugin, and never drops a leakstop finding: leakstop's
engine has already applied its own, stricter placeholder, context and allowlist rules.

detect-secrets chooses when to call a filter from its parameter names, so two things here are
deliberate: the functions are plain (no decorators, which would hide the names), and the
line- and file-level stock filters get a `secret` and `plugin` parameter. That moves them to
the per-finding stage, the only stage at which detect-secrets says which plugin found what;
at the earlier stages detect-secrets skips them as incompatible (it catches the TypeError).
"""

from __future__ import annotations

from detect_secrets.filters import heuristic
from detect_secrets.plugins.base import BasePlugin

from leakstop.plugin.detectors import LeakstopDetector

_STOCK = "detect_secrets.filters.heuristic."

STOCK_REPLACEMENTS = {
    _STOCK + name: f"{__name__}.{name}"
    for name in (
        "is_potential_uuid",
        "is_indirect_reference",
        "is_likely_id_string",
        "is_not_alphanumeric_string",
        "is_lock_file",
        "is_swagger_file",
    )
}
"""Stock filter path → leakstop's replacement path."""


def _ours(plugin: BasePlugin) -> bool:
    return isinstance(plugin, LeakstopDetector)


def is_potential_uuid(secret: str, plugin: BasePlugin) -> bool:
    """Stock drops every UUID-shaped secret, which is every ECGrid key."""
    return not _ours(plugin) and heuristic.is_potential_uuid(secret)


def is_indirect_reference(secret: str, line: str, plugin: BasePlugin) -> bool:
    """Stock drops whole lines like `client = Client(api_key="ek-…")` before any plugin runs."""
    return not _ours(plugin) and heuristic.is_indirect_reference(line)


def is_likely_id_string(secret: str, line: str, plugin: BasePlugin) -> bool:
    """Stock drops a secret preceded by `_id` on its line (`{"client_id": 1, "key": "ek-…"}`)."""
    return not _ours(plugin) and heuristic.is_likely_id_string(secret, line, plugin)


def is_not_alphanumeric_string(secret: str, plugin: BasePlugin) -> bool:
    """Stock drops secrets without a letter: a GUID can be all digits."""
    return not _ours(plugin) and heuristic.is_not_alphanumeric_string(secret)


def is_lock_file(filename: str, secret: str, plugin: BasePlugin) -> bool:
    """Stock skips lock files unread; leakstop reports a key pasted into one."""
    return not _ours(plugin) and heuristic.is_lock_file(filename)


def is_swagger_file(filename: str, secret: str, plugin: BasePlugin) -> bool:
    """Stock skips every path containing "swagger", where example requests carry real keys."""
    return not _ours(plugin) and heuristic.is_swagger_file(filename)
