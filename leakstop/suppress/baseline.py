"""Read a detect-secrets baseline and answer "is this key already known here?".

Matching is on (file, hashed_secret), as detect-secrets-hook matches: a moved line stays
known, a different key on a known line is new. Leakstop only reads the baseline; it never
rewrites it (line-number churn in baselines is what users of other hooks complain about).
"""

from __future__ import annotations

import json
from pathlib import Path

from leakstop.errors import LeakstopError

DEFAULT_NAME = ".secrets.baseline"


class Baseline:
    def __init__(self, known: set[tuple[str, str]]) -> None:
        self._known = known

    def __len__(self) -> int:
        return len(self._known)

    def accepts(self, file: str, hashed: str) -> bool:
        return (normalize_path(file), hashed) in self._known

    @classmethod
    def empty(cls) -> Baseline:
        return cls(set())

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise LeakstopError(f"cannot read baseline {path}: {exc.strerror}") from None
        except (ValueError, RecursionError) as exc:  # bad UTF-8, bad JSON, absurd nesting
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LeakstopError(f"baseline {path} is not valid JSON ({reason})") from None
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, dict):
            raise LeakstopError(f"baseline {path} has no 'results' object")
        known: set[tuple[str, str]] = set()
        for filename, entries in results.items():
            for entry in entries if isinstance(entries, list) else []:
                hashed = entry.get("hashed_secret") if isinstance(entry, dict) else None
                if isinstance(hashed, str):
                    known.add((normalize_path(filename), hashed))
        return cls(known)


def normalize_path(name: str) -> str:
    """The one spelling of a repository path both sides compare: `/` separators (baselines
    written on Windows use `\\`), no leading `./`."""
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name
