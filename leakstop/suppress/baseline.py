"""Read a detect-secrets baseline and answer "is this key already known here?".

Matching is on (file, hashed_secret), as detect-secrets-hook matches: a moved line stays
known, a different key on a known line is new. Leakstop only reads the baseline; it never
rewrites it (line-number churn in baselines is what users of other hooks complain about).

An entry that an audit marked as a real secret (`"is_secret": true`) is not an accepted
finding but a confirmed leak: it never suppresses anything. Only entries without a verdict or
marked false positives (`"is_secret": false`) do.
"""

from __future__ import annotations

import json
from pathlib import Path

from leakstop.errors import LeakstopError

DEFAULT_NAME = ".secrets.baseline"


class Baseline:
    def __init__(self, known: set[tuple[str, str]]) -> None:
        self._known = frozenset(known)

    def __len__(self) -> int:
        return len(self._known)

    def accepts(self, file: str, hashed: str) -> bool:
        return (normalize_path(file), hashed) in self._known

    def __and__(self, other: Baseline) -> Baseline:
        """What both baselines accept (several trusted sides must all agree)."""
        return Baseline(set(self._known & other._known))

    def __or__(self, other: Baseline) -> Baseline:
        """What either accepts (an operator's file next to a branch's baseline)."""
        return Baseline(set(self._known | other._known))

    @classmethod
    def empty(cls) -> Baseline:
        return cls(set())

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LeakstopError(f"cannot read baseline {path}: {exc.strerror}") from None
        return cls.parse(data, str(path))

    @classmethod
    def parse(cls, data: bytes, name: str) -> Baseline:
        """A baseline from its bytes; `name` says where they came from, for errors."""
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # bad UTF-8, bad JSON, absurd nesting
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LeakstopError(f"baseline {name} is not valid JSON ({reason})") from None
        results = parsed.get("results") if isinstance(parsed, dict) else None
        if not isinstance(results, dict):
            raise LeakstopError(f"baseline {name} has no 'results' object")
        known: set[tuple[str, str]] = set()
        for filename, entries in results.items():
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict) or not _accepted(entry):
                    continue
                hashed = entry.get("hashed_secret")
                if isinstance(hashed, str):
                    known.add((normalize_path(filename), hashed))
        return cls(known)


def _accepted(entry: dict[str, object]) -> bool:
    """No audit verdict, or "false positive". `true` (or any value that is not plainly
    false: `"true"`, `1`) means a real secret, which is reported, not accepted."""
    verdict = entry.get("is_secret")
    return verdict is None or verdict is False


def normalize_path(name: str) -> str:
    """The one spelling of a repository path both sides compare: `/` separators (baselines
    written on Windows use `\\`), no leading `./`."""
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name
