"""Accounts and their current keys: who a key belongs to, what became of retired keys, and
the one-regeneration-per-window rule. Retired keys are remembered by SHA-1 only."""

from __future__ import annotations

import enum
import math
import threading
from dataclasses import dataclass
from typing import Any

from leakstop.simulator.keys import hashed_secret


class AuthFailure(enum.Enum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    ROTATED = "rotated"
    """The key was regenerated away (Scrapebit says `api_key_expired`)."""
    REVOKED = "revoked"


@dataclass
class Account:
    id: int
    provider: str
    kind: str
    key: str
    user_id: int
    created_at: float
    rotations: int = 0
    last_rotation: float | None = None

    def public(self) -> dict[str, Any]:
        """The account as the control API lists it: never the key itself."""
        return {
            "account_id": self.id,
            "provider": self.provider,
            "kind": self.kind,
            "user_id": self.user_id,
            "key_sha1": hashed_secret(self.key),
            "rotations": self.rotations,
            "last_rotation": self.last_rotation,
        }


@dataclass(frozen=True)
class RateLimited:
    retry_after: int
    """Whole seconds until the next regeneration is allowed (at least 1)."""
    reset_at: int
    """The same moment as unix seconds on the simulated clock."""


class AccountBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._accounts: dict[int, Account] = {}
            self._by_key: dict[tuple[str, str], Account] = {}
            self._retired: dict[tuple[str, str], AuthFailure] = {}
            self._next_id = 1
            self._next_user_id = 1001

    def add(
        self, provider: str, kind: str, key: str, now: float, user_id: int | None = None
    ) -> Account:
        """Open an account holding `key`. Raises ValueError for a key or user id in use."""
        with self._lock:
            if (provider, key) in self._by_key or (provider, hashed_secret(key)) in self._retired:
                raise ValueError("this key is already known to the simulator")
            taken = {a.user_id for a in self._accounts.values() if a.provider == provider}
            if user_id is None:
                while self._next_user_id in taken:
                    self._next_user_id += 1
                user_id = self._next_user_id
                self._next_user_id += 1
            elif user_id in taken:
                raise ValueError(f"user id {user_id} is already taken for {provider}")
            account = Account(self._next_id, provider, kind, key, user_id, now)
            self._next_id += 1
            self._accounts[account.id] = account
            self._by_key[(provider, key)] = account
            return account

    def all(self) -> list[Account]:
        with self._lock:
            return list(self._accounts.values())

    def authenticate(self, provider: str, key: str | None) -> Account | AuthFailure:
        if not key:
            return AuthFailure.MISSING
        with self._lock:
            account = self._by_key.get((provider, key))
            if account is not None:
                return account
            return self._retired.get((provider, hashed_secret(key)), AuthFailure.UNKNOWN)

    def rotate(
        self, account: Account, old_key: str, new_key: str, now: float, window: float
    ) -> str | RateLimited | AuthFailure:
        """Swap `old_key` for `new_key` unless the account rotated less than `window` ago.
        Checked again under the lock: two racing calls with one key rotate it once."""
        with self._lock:
            if account.key != old_key:
                return AuthFailure.ROTATED
            if account.last_rotation is not None and now < account.last_rotation + window:
                reset_at = account.last_rotation + window
                return RateLimited(max(1, math.ceil(reset_at - now)), math.ceil(reset_at))
            del self._by_key[(account.provider, old_key)]
            self._retired[(account.provider, hashed_secret(old_key))] = AuthFailure.ROTATED
            account.key = new_key
            account.rotations += 1
            account.last_rotation = now
            self._by_key[(account.provider, new_key)] = account
            return new_key

    def revoke(self, key_sha1: str) -> Account | None:
        """Kill an account's current key, as a provider's dashboard would (no new key)."""
        with self._lock:
            for (provider, key), account in list(self._by_key.items()):
                if hashed_secret(key) == key_sha1:
                    del self._by_key[(provider, key)]
                    self._retired[(provider, key_sha1)] = AuthFailure.REVOKED
                    return account
            return None
