"""What every simulated provider shares: routes, key families, and the flow of an
authenticated call. A provider module fills in its paths and its own answer shapes."""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from leakstop.simulator.accounts import Account, AuthFailure, RateLimited
from leakstop.simulator.messages import Reply, Request
from leakstop.simulator.state import State
from leakstop.wording import a

Handler = Callable[["Call"], Reply]


@dataclass(frozen=True)
class Call:
    """One routed request, as a handler sees it."""

    provider: ProviderSim
    request: Request
    params: Mapping[str, str]
    state: State
    now: float

    @property
    def key(self) -> str | None:
        return self.provider.credential(self.request)


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    """Path with `{name}` placeholders for one segment each, e.g. `/v2/users/key-generate/{id}`."""
    call: str
    """The name faults use: `check`, `rotate`, `me` or `models`."""
    handler: Handler
    aliases: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return (self.call, *self.aliases)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"\{(\w+)\}", self.template)
        source = "".join(
            f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
        )
        return re.compile(source)


@dataclass(frozen=True)
class KeyKind:
    name: str
    prefix: str
    body: Callable[[], str]


class ProviderSim(ABC):
    name: ClassVar[str]
    kinds: ClassVar[tuple[KeyKind, ...]]
    """Key families this provider issues; the first is what a new account gets."""
    rotate_window: ClassVar[float] = 3600.0
    """At most one regeneration per account in this many seconds."""

    routes: tuple[Route, ...]
    """Set by each provider's `__init__` (its handlers are bound methods)."""

    @abstractmethod
    def credential(self, request: Request) -> str | None:
        """The key the provider reads from the request, where its docs say it sits."""

    @abstractmethod
    def error(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> Reply:
        """An error in this provider's own shape."""

    @abstractmethod
    def auth_error(self, failure: AuthFailure) -> Reply: ...

    @abstractmethod
    def rate_limited(self, limit: RateLimited) -> Reply: ...

    # -- shared behaviour ------------------------------------------------------------------

    @property
    def call_names(self) -> frozenset[str]:
        return frozenset(name for route in self.routes for name in route.names)

    def kind(self, name: str | None) -> KeyKind:
        """The key family called `name` (default: the first). Raises ValueError."""
        if name is None:
            return self.kinds[0]
        for kind in self.kinds:
            if kind.name == name:
                return kind
        known = ", ".join(k.name for k in self.kinds)
        raise ValueError(f"{self.name} has no key kind {name!r} (known: {known})")

    def kind_of_key(self, key: str) -> KeyKind:
        """The family a given key belongs to, by its longest matching prefix."""
        matching = [k for k in self.kinds if key.startswith(k.prefix)]
        if not matching:
            raise ValueError(f"that key does not look like {a(self.name)} key")
        return max(matching, key=lambda k: len(k.prefix))

    def new_key(self, kind: str) -> str:
        family = self.kind(kind)
        return family.prefix + family.body()

    def match(self, request: Request) -> tuple[Route, dict[str, str]] | Reply:
        """The route for this request, or the provider's 404 / 405 answer."""
        allowed: list[str] = []
        for route in self.routes:
            found = route.pattern.fullmatch(request.path)
            if found is None:
                continue
            if route.method == request.method:
                return route, found.groupdict()
            allowed.append(route.method)
        if allowed:
            return self.error(
                405, "method_not_allowed", "Method not allowed", {"Allow": ", ".join(allowed)}
            )
        return self.error(404, "not_found", "Not found")

    def server_error(self) -> Reply:
        return self.error(500, "internal_error", "Internal error, please try again")

    def authenticate(self, call: Call) -> Account | Reply:
        found = call.state.accounts.authenticate(self.name, call.key)
        return self.auth_error(found) if isinstance(found, AuthFailure) else found

    def regenerate(self, call: Call, account: Account) -> str | Reply:
        """Swap the account's key for a new one of the same family, or the refusal."""
        old = call.key or ""
        result = call.state.accounts.rotate(
            account, old, self.new_key(account.kind), call.now, self.rotate_window
        )
        if isinstance(result, RateLimited):
            return self.rate_limited(result)
        if isinstance(result, AuthFailure):
            return self.auth_error(result)
        return result


def iso(timestamp: float) -> str:
    """UTC time in the `2025-01-31T16:00:00Z` form the providers' examples use."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def profile(account: Account) -> dict[str, Any]:
    """Harmless account details the check calls return (no key material)."""
    return {
        "email": f"user{account.user_id}@example.invalid",
        "name": f"Simulated User {account.user_id}",
    }
