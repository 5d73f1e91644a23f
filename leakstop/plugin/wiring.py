"""What `leakstop init` writes for detect-secrets: the plugin file, and the plugin and filter
settings of a `.secrets.baseline` (new, or an existing one with its entries kept)."""

from __future__ import annotations

import copy
import time
from typing import Any

from leakstop.errors import LeakstopError
from leakstop.plugin.detectors import DETECTORS
from leakstop.plugin.filters import STOCK_REPLACEMENTS

PLUGIN_FILE = ".leakstop/detect_secrets_plugin.py"
"""Relative to the repository root, and stored relative in the baseline, so the baseline
works in every clone (detect-secrets and pre-commit run from the root)."""

PLUGIN_PATH = "file://" + PLUGIN_FILE

PLUGIN_FILE_TEXT = '''\
"""detect-secrets plugin: leakstop's detectors, one class per key family.

Written by `leakstop init`; .secrets.baseline names this file. detect-secrets loads custom
plugins only by file path, so this file re-exports the detectors of the installed leakstop.
detect-secrets must run where leakstop is importable (for the detect-secrets pre-commit hook,
add `additional_dependencies: [leakstop]`); elsewhere it stops with one line saying so.
"""

try:
    from leakstop.plugin.detectors import *  # noqa: F403
except ImportError as exc:
    # Fail closed (a scan without these detectors would pass keys), with one line rather
    # than a traceback: exit status 1, the message on stderr.
    raise SystemExit(
        "detect-secrets: .secrets.baseline loads leakstop's detectors, but leakstop is not "
        f"importable here ({exc}); install leakstop where detect-secrets runs "
        "(pip install leakstop; pre-commit hook: additional_dependencies: [leakstop])"
    ) from None
'''

_VERIFY_FILTER = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"


def configure_baseline(existing: Any) -> dict[str, Any]:
    """The baseline with leakstop's plugins and filters configured.

    `existing` is a parsed baseline, or None for a new one. A new baseline has detect-secrets'
    default plugins and filters and no results. An existing one keeps its results, settings
    and key order; it is first upgraded to the installed detect-secrets format, because
    detect-secrets' own upgrade of an old baseline re-adds stock filters (1.1 adds
    `is_lock_file`, `is_swagger_file`) that would shadow ours.
    """
    from detect_secrets.core.baseline import upgrade

    if existing is None:
        data = _new_baseline()
    else:
        _check(existing)
        try:
            data = upgrade(copy.deepcopy(existing))
        except Exception as exc:
            raise LeakstopError(f"cannot upgrade the baseline ({type(exc).__name__})") from None
    data["plugins_used"] = _plugins(data.get("plugins_used", []))
    filters = data["filters_used"] if "filters_used" in data else _default_filters()
    data["filters_used"] = _filters(filters)
    return data


def _check(data: Any) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise LeakstopError("the baseline is not a detect-secrets baseline (no version)")
    if not isinstance(data.get("results"), dict):
        raise LeakstopError("the baseline is not a detect-secrets baseline (no results)")
    for key in ("plugins_used", "filters_used"):
        entries = data.get(key, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise LeakstopError(f"the baseline's {key} is not a list of objects")


def _new_baseline() -> dict[str, Any]:
    from detect_secrets.__version__ import VERSION
    from detect_secrets.settings import default_settings

    with default_settings() as settings:
        stock = settings.json()
    filters = [*stock["filters_used"], {"path": _VERIFY_FILTER, "min_level": 2}]
    # Empty results on purpose: a baseline entry tells every scanner "accepted, stay quiet".
    # Recording whatever is in the repository now would silence leakstop about keys that have
    # already leaked and need rotating; people add entries after `detect-secrets audit`.
    return {
        "version": VERSION,
        "plugins_used": stock["plugins_used"],
        "filters_used": filters,
        "results": {},
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _default_filters() -> list[dict[str, Any]]:
    """What detect-secrets uses for a baseline without `filters_used`."""
    from detect_secrets.settings import Settings

    return [{"path": p} for p in sorted(Settings().filters) if p not in Settings.DEFAULT_FILTERS]


def _plugins(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ours = {cls.__name__ for cls in DETECTORS}
    by_name = {entry.get("name"): entry for entry in entries}
    for name in ours:
        by_name[name] = {**by_name.get(name, {}), "name": name, "path": PLUGIN_PATH}
    # Sorted the way detect-secrets writes it, so its next rewrite changes nothing.
    return sorted(by_name.values(), key=lambda e: str(e.get("name")).lower())


def _filters(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_path: dict[str, dict[str, Any]] = {}
    for entry in entries:
        path = str(entry.get("path"))
        # A stock filter the user removed stays removed: ours only ever replaces one in place.
        path = STOCK_REPLACEMENTS.get(path, path)
        by_path[path] = {**entry, "path": path}
    return sorted(by_path.values(), key=lambda e: str(e["path"]).lower())
