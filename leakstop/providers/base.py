"""Declarative records that describe a provider's key families.

A provider module builds one `Provider` with its `Rule`s; the detection engine, the
detect-secrets plugin and the reports read only these records, so adding a provider never
touches code outside its own module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leakstop.providers.api import KeyApi


@dataclass(frozen=True)
class Rule:
    """One key family: what it looks like and when a match counts as that family's key."""

    id: str
    """Stable rule id written into reports, e.g. ``electronhub-api-key``."""
    provider: str
    title: str
    """Human name, also the detect-secrets ``secret_type`` (stable: baselines store it)."""
    prefix: str
    """Literal that starts every key ("" for keys without one, like GUIDs)."""
    body: str
    """Regex for what follows the prefix, with explicit length bounds."""
    rotatable: bool
    """Whether the provider's regenerate call rotates keys of this family."""
    guidance: str
    """What to do about a leaked key of this family, shown in reports."""
    context: tuple[str, ...] = ()
    """Regexes (case-insensitive) that must each occur on the key's line, the few lines just
    before it, or the file path, for a match to count (for shapes other products share).
    "Few" is `detect.engine.CONTEXT_LINES` lines before (`CONTEXT_LINES_AFTER` after, as
    in a curl command whose URL follows its header), at most `CONTEXT_CHARS` characters."""
    line_context: tuple[str, ...] = ()
    """Regexes (case-insensitive) that must each occur on the key's own line, close to it
    (`detect.engine.LABEL_CHARS`): the label that names the value as a credential. Where a
    line holds several look-alikes, the label before one must sit after the previous one."""
    exclude_context: tuple[str, ...] = ()
    """Regexes (case-insensitive) that, near the key on its own line, say it belongs to
    another product (`stripe` for an `sk_live_` key): the match does not count, unless the
    rule's own `context` is there too."""
    ignore_paths: str | None = None
    """Regex (case-insensitive) of file paths where this family is never reported, e.g. the
    project files and lock files in which bare GUIDs are identifiers, not secrets."""
    structural: bool = False
    """Judge a match by the label it is bound to and the scope it sits in (detect/scoped.py)
    rather than by context windows: `context` then names the scope words (its first
    pattern), and `line_context` is only a cheap hint for streams, on the key's own line,
    of which matches are worth a closer look."""
    severity: str = "high"
    anchor: str | None = None
    """For a family without a literal prefix: a regex that every key contains and that
    starts with a literal, so streams of history can be searched for it at C speed."""

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(re.escape(self.prefix) + "(?:" + self.body + ")")

    @property
    def context_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(_compiled(c, re.IGNORECASE) for c in self.context)

    @property
    def line_context_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(_compiled(c, re.IGNORECASE) for c in self.line_context)

    @property
    def exclude_context_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(_compiled(c, re.IGNORECASE) for c in self.exclude_context)

    @property
    def ignore_paths_pattern(self) -> re.Pattern[str] | None:
        return _compiled(self.ignore_paths, re.IGNORECASE) if self.ignore_paths else None


@dataclass(frozen=True)
class Provider:
    """A provider: its name, default API base and the key families it issues."""

    name: str
    title: str
    default_base_url: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    key_apis: Callable[[], Mapping[str, KeyApi]] = dict
    """Builds the API side per rule id (check and rotate calls, providers/api.py) when it is
    first needed: detection never needs it, so a hook's scan never loads it."""

    @property
    def apis(self) -> Mapping[str, KeyApi]:
        return self.key_apis()

    @property
    def env_url_var(self) -> str:
        return f"LEAKSTOP_{self.name.upper()}_URL"


_CACHE: dict[tuple[str, int], re.Pattern[str]] = {}


def _compiled(source: str, flags: int = 0) -> re.Pattern[str]:
    key = (source, flags)
    pattern = _CACHE.get(key)
    if pattern is None:
        pattern = _CACHE[key] = re.compile(source, flags)
    return pattern
