"""What the server hands to the simulated providers and gets back: a parsed request and a
reply, free of socket details so provider behaviour is plain functions over state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = "application/json"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    """Path below the provider's prefix (or the control prefix), without the query string."""
    headers: Mapping[str, str]
    """Header values by lower-cased name."""
    header_names: tuple[str, ...] = ()
    """Header names as the client sent them (what the call log keeps)."""
    query_names: tuple[str, ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body as JSON; an empty body is an empty object. Raises ValueError."""
        if not self.body.strip():
            return {}
        return json.loads(self.body)


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
    body = json.dumps(payload).encode("utf-8")
    return Reply(status, body, JSON, dict(headers or {}))


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer …` header (scheme case-insensitive)."""
    value = request.header("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def api_key_header(request: Request) -> str | None:
    value = (request.header("x-api-key") or "").strip()
    return value or None


def presented_key(request: Request) -> str | None:
    """Whatever credential the request carries, for call logs where the scheme is unknown."""
    return api_key_header(request) or bearer_token(request)
