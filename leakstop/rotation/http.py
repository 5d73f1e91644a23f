"""The one HTTP client for provider calls: explicit timeouts, a whole-call deadline, an
optional explicit proxy, no redirects, no retries.

A regenerate call has a side effect, so nothing below this module may ever send it twice;
transport failures are sorted into "never left" (safe to say nothing was sent) and "sent, but
the answer was lost" (the provider may have rotated: only the check call can tell).

httpx's timeouts bound each socket operation, so a server that trickles one byte every few
seconds would never trip them. Every read, write and connect therefore goes through a network
backend that also caps it by what is left of the call's total budget (`deadline_at`,
rotation/transport.py).
"""

from __future__ import annotations

import errno
import os
import socket
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leakstop.errors import LeakstopError
from leakstop.rotation.deadline import DEADLINE_HIT, deadline_at

if TYPE_CHECKING:
    import httpx

TIMEOUTS = {"connect": 5.0, "read": 20.0, "write": 10.0, "pool": 5.0}
"""Per operation: one connect, one socket read, one write, waiting for a pooled connection."""

DEADLINE_VAR = "LEAKSTOP_CALL_DEADLINE"
DEFAULT_DEADLINE = 30.0
"""Seconds one provider call may take in all, connect to last byte of the answer."""
PROXY_VAR = "LEAKSTOP_PROXY"


_explicit: dict[str, str | None] = {"proxy": None, "deadline": None}


def configure(name: str, value: str | None) -> None:
    """A setting from the command line (`--proxy`, `--call-deadline`; None when not given):
    it wins over the environment. A value given is checked at once, so it stops the run
    before anything is scanned; the environment is checked when a call is about to be made."""
    previous, _explicit[name] = _explicit[name], value
    if value is not None:
        try:
            settings()
        except LeakstopError:
            _explicit[name] = previous  # a refused value is not kept for later runs
            raise


@dataclass(frozen=True)
class Settings:
    deadline: float
    proxy: str | None


def settings() -> Settings:
    """The effective call settings: command line, then environment, then defaults. Never
    from a scanned repository's files."""
    raw_deadline = _explicit["deadline"] or os.environ.get(DEADLINE_VAR) or ""
    deadline = DEFAULT_DEADLINE
    if raw_deadline.strip():
        try:
            deadline = float(raw_deadline)
        except ValueError:
            deadline = -1.0
        if not 0 < deadline <= 3600:
            raise LeakstopError(
                f"{DEADLINE_VAR} / --call-deadline: give seconds between 0 and 3600"
            )
    proxy = _explicit["proxy"] or os.environ.get(PROXY_VAR) or None
    if proxy is not None:
        check_proxy(proxy)
    return Settings(deadline, proxy)


def check_proxy(url: str) -> None:
    from urllib.parse import urlsplit

    # The value is never echoed: a proxy URL may carry a password.
    source = f"{PROXY_VAR} / --proxy"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise LeakstopError(f"{source}: the value is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LeakstopError(f"{source}: use http://HOST:PORT or https://HOST:PORT")
    if parts.path not in ("", "/") or parts.query or parts.fragment or port == 0:
        raise LeakstopError(f"{source}: a proxy URL is scheme://[user:password@]host:port only")


def proxy_allowed_for(target_scheme: str, proxy: str | None) -> bool:
    """A plain-http call (loopback providers only) carries its key in clear: through a proxy
    only if the proxy is on loopback too."""
    from urllib.parse import urlsplit

    from leakstop.rotation.endpoints import is_loopback

    if proxy is None or target_scheme == "https":
        return True
    return is_loopback(urlsplit(proxy).hostname or "")


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


def make_client(config: Settings | None = None) -> httpx.Client:
    import httpx

    from leakstop.rotation.transport import transport

    config = config or settings()
    return httpx.Client(
        timeout=httpx.Timeout(**TIMEOUTS),
        follow_redirects=False,  # a redirect must never carry a key to another host
        trust_env=False,  # no proxy or .netrc from the environment decides where keys go
        transport=transport(config.proxy),
        headers={"User-Agent": "leakstop"},
    )


def send(
    client: httpx.Client,
    method: str,
    url: str,
    headers: dict[str, str],
    deadline: float | None = None,
) -> Answer | Lost:
    import httpx

    budget = settings().deadline if deadline is None else deadline
    token = deadline_at.set(time.monotonic() + budget)
    try:
        response = client.request(method, url, headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError) as exc:
        return Lost(sent=False, reason=reason(exc, budget))
    except httpx.TransportError as exc:  # read/write timeouts, dropped connections
        return Lost(sent=True, reason=reason(exc, budget))
    finally:
        deadline_at.reset(token)
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


def reason(exc: BaseException, budget: float = DEFAULT_DEADLINE) -> str:
    """A short phrase for a failed call: the cause's kind, never the exception's text (it
    may name the URL; never headers, but keep it to what the user can act on)."""
    causes = _chain(exc)
    if any(str(c) == DEADLINE_HIT for c in causes):
        return f"timeout: the call did not finish within its {budget:g} s deadline ({DEADLINE_VAR})"
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "TLS error: the server's certificate is not trusted"
        if isinstance(cause, ssl.SSLError):
            return "TLS error: the secure connection failed"
        if isinstance(cause, socket.gaierror):
            if cause.errno in (socket.EAI_AGAIN, getattr(socket, "EAI_NODATA", -5)):
                return "DNS failure: the host name could not be resolved (offline?)"
            return "DNS failure: the host name could not be resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno == errno.ENETUNREACH:
            return "offline: the network is unreachable"
        if isinstance(cause, OSError) and cause.errno == errno.EHOSTUNREACH:
            return "host unreachable"
    return {
        "ProxyError": "the proxy refused or failed the connection",
        "ConnectError": "could not connect",
        "ConnectTimeout": "timeout: no connection within the connect timeout",
        "PoolTimeout": "timeout: no free connection",
        "ReadTimeout": "timeout: no answer before the read timeout",
        "WriteTimeout": "timeout: the request could not be sent in time",
        "RemoteProtocolError": "connection closed without an answer",
        "ReadError": "connection dropped while reading the answer",
        "WriteError": "connection dropped while sending",
    }.get(type(exc).__name__, type(exc).__name__)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
