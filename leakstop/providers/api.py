"""Declarative records for the API side of a key family: how to check it, how to rotate it,
where the new key sits in the answer, and where a retry time comes from.

The rotation engine reads only these records, so a provider's API is described in its own
module and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    """Path below the provider's base URL; may contain ``{user_id}``."""


@dataclass(frozen=True)
class UserIdLookup:
    """A read-only call that names the account a key belongs to (ECGrid's key-generate
    call needs the numeric user id of the key's owner)."""

    call: Call
    value_at: tuple[str, ...]
    env_var: str
    """Environment variable (or `[NAME] user_id` in the user's config) that overrides it."""


@dataclass(frozen=True)
class KeyApi:
    auth_header: str
    auth_prefix: str
    check: Call
    """Side-effect-free call that tells whether the key is live."""
    rotate: Call | None
    """The regenerate call; None where the provider documents none for this family."""
    new_key_at: tuple[str, ...] = ()
    """JSON path of the new key in the rotate answer, e.g. ("data", "api_key")."""
    user_id: UserIdLookup | None = None
    live_statuses: frozenset[int] = frozenset({200})
    invalid_statuses: frozenset[int] = frozenset({401})
    invalid_codes: frozenset[str] = field(default_factory=frozenset)
    """Error codes in an answer body that mean the key is already dead (e.g. expired)."""
    retry_after_at: tuple[str, ...] | None = None
    """JSON path of a retry delay in seconds in a 429 body."""
    reset_header: str | None = None
    """Header with the unix time at which the limit resets."""
    default_retry_seconds: int = 3600
    dashboard: str = ""
    """Where a person regenerates the key by hand when the API cannot."""

    def headers(self, key: str) -> dict[str, str]:
        return {self.auth_header: f"{self.auth_prefix}{key}", "Accept": "application/json"}
