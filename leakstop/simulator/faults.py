"""Injected faults: what goes wrong, for which calls, and how many more times.

A fault targets one key (by SHA-1), or one provider's calls (optionally one call name), or
every call; the first live fault that matches a call is used up by it."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from leakstop.simulator.keys import hashed_secret
from leakstop.wording import a

KINDS = (
    "500",
    "status",
    "slow",
    "trickle",
    "drop_after_rotate",
    "drop_before",
    "html",
    "redirect",
)
"""`slow`, `trickle` and `drop_after_rotate` let the call take effect; the others stop it.
`trickle` sends the answer (status line and headers included) one byte every `seconds`."""

ACTING_KINDS = frozenset({"slow", "trickle", "drop_after_rotate"})

_HEX = frozenset("0123456789abcdef")


@dataclass
class Fault:
    id: int
    kind: str
    key_sha1: str | None = None
    provider: str | None = None
    call: str | None = None
    remaining: int | None = 1
    """Uses left; None means always."""
    seconds: float = 0.0
    """`slow`: how long to wait before answering; `trickle`: the pause between two bytes of
    the answer; `status` 429: the retry time."""
    location: str | None = None
    """`redirect`: where to send the client (default: the decoy listener, same path)."""
    status: int | None = None
    """`redirect`: 302 (default), 301, 303, 307 or 308; `html`: the status of the page
    (default 403); `status`: the error status to answer, in the provider's own shape."""
    hits: int = 0

    def matches(self, provider: str, calls: tuple[str, ...], key_sha1: str | None) -> bool:
        if self.remaining == 0:
            return False
        if self.key_sha1 is not None and self.key_sha1 != key_sha1:
            return False
        if self.provider is not None and self.provider != provider:
            return False
        return self.call is None or self.call in calls

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data["fault_id"] = data.pop("id")
        data["fault"] = data.pop("kind")
        data["times"] = "always" if self.remaining is None else self.remaining
        del data["remaining"]
        return data


def parse_fault(payload: Any, calls_by_provider: Mapping[str, frozenset[str]]) -> Fault:
    """Validate a control request's fault description. Raises ValueError with the reason."""
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object")
    kind = str(payload.get("fault", ""))
    if kind not in KINDS:
        raise ValueError(f"fault must be one of {', '.join(KINDS)}")
    fault = Fault(0, kind)
    if payload.get("key") is not None:
        fault.key_sha1 = hashed_secret(str(payload["key"]))
    elif payload.get("key_sha1") is not None:
        digest = str(payload["key_sha1"]).lower()
        if len(digest) != 40 or not set(digest) <= _HEX:
            raise ValueError("key_sha1 must be 40 hex digits")
        fault.key_sha1 = digest
    if payload.get("provider") is not None:
        fault.provider = str(payload["provider"])
        if fault.provider not in calls_by_provider:
            raise ValueError(f"unknown provider {fault.provider!r}")
    if payload.get("call") is not None:
        fault.call = str(payload["call"])
        known = (
            calls_by_provider[fault.provider]
            if fault.provider
            else frozenset().union(*calls_by_provider.values())
        )
        if fault.call not in known:
            raise ValueError(f"unknown call {fault.call!r}; known: {', '.join(sorted(known))}")
    fault.remaining = _times(payload.get("times", 1))
    default = {"slow": 1.0, "trickle": 1.0}.get(kind, 0.0)
    fault.seconds = _number(payload.get("seconds", default), "seconds")
    if payload.get("location") is not None:
        fault.location = str(payload["location"])
    if payload.get("status") is not None:
        fault.status = _status(payload["status"], kind)
    elif kind == "status":
        raise ValueError("a status fault needs a status (400-599)")
    return fault


def _times(value: Any) -> int | None:
    if value in (None, "always"):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError('times must be a positive integer or "always"')
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a number >= 0")
    return float(value)


def _status(value: Any, kind: str) -> int:
    allowed = {301, 302, 303, 307, 308} if kind == "redirect" else set(range(400, 600))
    if isinstance(value, bool) or value not in allowed:
        raise ValueError(f"status {value!r} is not allowed for {a(kind)} fault")
    return int(value)


class FaultTable:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def take(self, provider: str, calls: tuple[str, ...], key_sha1: str | None) -> Fault | None:
        """The first live fault for this call, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(provider, calls, key_sha1):
                    fault.hits += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
            return None

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
