"""The log of calls the simulator received. It keeps header names and the SHA-1 of the
credential, never a header value or a key, so tests may print it freely."""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

from leakstop.simulator.keys import hashed_secret

# A path segment this long with a digit in it is no route word: treat it as a key.
_KEYLIKE = re.compile(r"(?=.*\d).{16,}")


def scrub(text: str, key: str | None) -> str:
    """`text` (a path or a query name) with every segment that is or holds a key replaced
    by `<key:SHA-1>`: a client that puts a key in a URL must not put it in the log."""
    return "/".join(
        f"<key:{hashed_secret(part)}>"
        if (key and key in part) or _KEYLIKE.fullmatch(part)
        else part
        for part in text.split("/")
    )


@dataclass
class CallRecord:
    seq: int
    time: float
    listener: str
    """`main`, or `redirect` for the decoy host that redirect faults point to."""
    method: str
    path: str
    """The full path as received (provider prefix included), without the query string, and
    with key-like segments replaced by their hash (see `scrub`)."""
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
