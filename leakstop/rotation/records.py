"""What a rotation remembers: the state of rotated keys (so a re-run never rotates the same
key twice) and the append-only audit log. Both hold SHA-1 digests of keys, never a key."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from leakstop.errors import LeakstopError
from leakstop.rotation.paths import private_dir, state_dir


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class RotationState:
    """`rotated.json` in the state directory: hashed_secret -> what happened and when."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "rotated.json"
        self._entries: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, hashed: str) -> dict[str, Any] | None:
        return self._entries.get(hashed)

    def remember(self, hashed: str, provider: str, outcome: str) -> None:
        self._entries[hashed] = {"provider": provider, "outcome": outcome, "time": _now()}
        private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(prefix=".rotated.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self._entries, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


class AuditLog:
    """`audit.jsonl` in the state directory: one JSON line per rotation attempt."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "audit.jsonl"

    def ensure_writable(self) -> None:
        private_dir(self.path.parent)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            raise LeakstopError(
                f"cannot write the state directory {self.path.parent}: {exc.strerror}"
            ) from None

    def append(self, **entry: Any) -> None:
        private_dir(self.path.parent)
        line = json.dumps({"time": _now(), **entry}, sort_keys=True) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line)
