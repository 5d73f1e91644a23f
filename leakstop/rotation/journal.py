"""The write-ahead journal of rotations: before a regenerate call is sent, a record (hashes
only) says which key is being rotated, where its new key will go, when and by which process;
it is updated with the new key's hash when the answer arrives and removed once the new key is
delivered. A record still there when its key's lock is free belongs to a run that died
(SIGKILL, power loss, CI timeout) between the call and the delivery: the new key may be lost.

One file per key, `<state>/journal/<old sha1>.json`, written durably (fsync'd)."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from leakstop.rotation.paths import private_dir
from leakstop.rotation.records import now, sync_dir, write_durably

SENDING, ANSWERED = "sending", "answered"


@dataclass
class InFlight:
    old_sha1: str
    provider: str
    rule: str
    where: str
    """Where the old key was found (file:line [@ commit])."""
    destination: str
    """Where the new key was to go, as the user would name it (never the key)."""
    delivery_kind: str
    delivery_target: str
    delivery_variable: str = ""
    started: str = ""
    pid: int = 0
    host: str = ""
    phase: str = SENDING
    """`sending`: the regenerate call may have been sent; `answered`: the provider answered
    with a new key (hash in new_sha1) that was being delivered."""
    new_sha1: str | None = None


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, old_sha1: str) -> Path:
        return self.directory / f"{old_sha1}.json"

    def begin(self, record: InFlight) -> None:
        """Durably record a rotation about to be sent (raises OSError if it cannot)."""
        record.started = record.started or now()
        record.pid = record.pid or os.getpid()
        record.host = record.host or socket.gethostname()
        private_dir(self.directory)
        self._write(record)

    def answered(self, record: InFlight, new_sha1: str) -> None:
        record.phase, record.new_sha1 = ANSWERED, new_sha1
        self._write(record)

    def close(self, old_sha1: str) -> None:
        path = self._path(old_sha1)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        sync_dir(self.directory)

    def get(self, old_sha1: str) -> InFlight | None:
        return _read(self._path(old_sha1))

    def all(self) -> list[InFlight]:
        if not self.directory.is_dir():
            return []
        found = (_read(p) for p in sorted(self.directory.glob("*.json")))
        return [r for r in found if r is not None]

    def _write(self, record: InFlight) -> None:
        data = json.dumps(asdict(record), indent=1, sort_keys=True).encode("utf-8")
        write_durably(self._path(record.old_sha1), data)


def _read(path: Path) -> InFlight | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    known = {f.name for f in fields(InFlight)}
    try:
        return InFlight(**{k: v for k, v in data.items() if k in known})
    except TypeError:
        return None
