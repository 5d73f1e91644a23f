"""The user's state directory: where new keys, the rotation state and the audit log live."""

from __future__ import annotations

import os
from pathlib import Path

from leakstop.errors import LeakstopError


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "leakstop"


def default_keys_dir() -> Path:
    return state_dir() / "keys"


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the owner only."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise LeakstopError(f"cannot use the directory {path} ({exc.strerror})") from None
    return path
