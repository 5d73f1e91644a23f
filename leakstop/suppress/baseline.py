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
        return (file, hashed) in self._known

    @classmethod
    def empty(cls) -> Baseline:
        return cls(set())

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise LeakstopError(f"cannot read baseline {path}: {exc.strerror}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LeakstopError(f"baseline {path} is not valid JSON ({exc})") from None
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, dict):
            raise LeakstopError(f"baseline {path} has no 'results' object")
        known: set[tuple[str, str]] = set()
        for filename, entries in results.items():
            for entry in entries if isinstance(entries, list) else []:
                hashed = entry.get("hashed_secret") if isinstance(entry, dict) else None
                if isinstance(hashed, str):
                    known.add((Path(filename).as_posix(), hashed))
        return cls(known)
