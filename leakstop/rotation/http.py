"""The one HTTP client for provider calls: explicit timeouts, no redirects, no retries.

A regenerate call has a side effect, so nothing below this module may ever send it twice;
transport failures are sorted into "never left" (safe to say nothing changed) and "sent, but
the answer was lost" (the provider may have rotated: only the check call can tell).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

TIMEOUTS = {"connect": 5.0, "read": 20.0, "write": 10.0, "pool": 5.0}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    """Parsed JSON, or None when the answer was not JSON (an HTML error page, say)."""
    location: str | None = None


@dataclass(frozen=True)
class Lost:
    """The request failed; `sent` tells whether it may have reached the provider."""

    sent: bool
    reason: str


def make_client() -> httpx.Client:
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(**TIMEOUTS),
        follow_redirects=False,  # a redirect must never carry a key to another host
        trust_env=False,  # no proxy or .netrc from the environment decides where keys go
        transport=httpx.HTTPTransport(retries=0),
        headers={"User-Agent": "leakstop"},
    )


def send(client: httpx.Client, method: str, url: str, headers: dict[str, str]) -> Answer | Lost:
    import httpx

    try:
        response = client.request(method, url, headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        return Lost(sent=False, reason=_reason(exc))
    except httpx.TransportError as exc:  # read/write timeouts, dropped connections
        return Lost(sent=True, reason=_reason(exc))
    try:
        body = response.json()
    except ValueError:
        body = None
    return Answer(
        status=response.status_code,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=body,
        location=response.headers.get("location"),
    )


def _reason(exc: Exception) -> str:
    # The exception text of httpx names the URL at most, never headers; keep the type only.
    return {
        "ConnectError": "connection refused or host unreachable",
        "ConnectTimeout": "connect timeout",
        "PoolTimeout": "connection pool timeout",
        "ReadTimeout": "no answer before the read timeout",
        "WriteTimeout": "write timeout",
        "RemoteProtocolError": "connection closed without an answer",
        "ReadError": "connection dropped while reading the answer",
    }.get(type(exc).__name__, type(exc).__name__)
