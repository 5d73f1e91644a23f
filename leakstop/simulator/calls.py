"""The log of calls the simulator received. It keeps header names and the SHA-1 of the
credential, never a header value or a key, so tests may print it freely."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class CallRecord:
    seq: int
    time: float
    listener: str
    """`main`, or `redirect` for the decoy host that redirect faults point to."""
    method: str
    path: str
    """The full path as received (provider prefix included), without the query string."""
    provider: str | None
    call: str | None
    """The call's name (`check`, `rotate`, `me`, `models`) or None when no route matched."""
    route: str | None
    header_names: list[str]
    query_names: list[str]
    key_sha1: str | None
    status: int | None = None
    """The status sent; None when the connection was dropped without an answer."""
    fault: str | None = None

    def public(self) -> dict[str, Any]:
        return asdict(self)


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[CallRecord] = []
        self._seq = 0

    def add(self, record: CallRecord) -> None:
        """Append `record`, numbering it in arrival order."""
        with self._lock:
            self._seq += 1
            record.seq = self._seq
            self._records.append(record)

    def all(self) -> list[CallRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
