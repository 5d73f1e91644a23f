"""httpx's transport over an httpcore pool whose every connect, read and write is capped by
what is left of the current call's deadline (`deadline.deadline_at`), direct or through an
explicit proxy. httpcore's errors come out as httpx's, which `http.send` sorts."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from leakstop.rotation.deadline import DEADLINE_HIT, deadline_at


def _remaining(timeout: float | None, kind: type[Exception]) -> float | None:
    """`timeout`, shortened to what is left of the current call's deadline."""
    deadline = deadline_at.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise kind(DEADLINE_HIT)
    return left if timeout is None else min(timeout, left)


@contextmanager
def _deadline_named(kind: type[Exception]) -> Iterator[None]:
    """A timeout that happened because the call's budget ran out says so."""
    try:
        yield
    except httpcore.TimeoutException:
        deadline = deadline_at.get()
        if deadline is not None and time.monotonic() >= deadline - 0.01:
            raise kind(DEADLINE_HIT) from None
        raise


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        limit = _remaining(timeout, httpcore.ReadTimeout)
        with _deadline_named(httpcore.ReadTimeout):
            return self._inner.read(max_bytes, limit)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        limit = _remaining(timeout, httpcore.WriteTimeout)
        with _deadline_named(httpcore.WriteTimeout):
            self._inner.write(buffer, limit)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _remaining(timeout, httpcore.ConnectTimeout)
        with _deadline_named(httpcore.ConnectTimeout):
            return _Stream(self._inner.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        limit = _remaining(timeout, httpcore.ConnectTimeout)
        with _deadline_named(httpcore.ConnectTimeout):
            inner = self._inner.connect_tcp(host, port, limit, local_address, socket_options)
        return _Stream(inner)

    def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore retries are off
        time.sleep(seconds)


# Most specific first: httpcore's ConnectTimeout is also a TimeoutException, and so on.
_ERRORS = (
    "ProxyError",
    "ConnectTimeout",
    "ReadTimeout",
    "WriteTimeout",
    "PoolTimeout",
    "ConnectError",
    "ReadError",
    "WriteError",
    "RemoteProtocolError",
    "LocalProtocolError",
    "UnsupportedProtocol",
)


class _Mapped:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            return
        for name in _ERRORS:
            if isinstance(exc, getattr(httpcore, name)):
                raise getattr(httpx, name)(str(exc)) from exc


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _Mapped():
            yield from self._stream

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


class _Transport(httpx.BaseTransport):
    def __init__(self, pool: httpcore.ConnectionPool | httpcore.HTTPProxy) -> None:
        self._pool = pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _Mapped():
            answer = self._pool.handle_request(core)
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def transport(proxy: str | None) -> httpx.BaseTransport:
    context = httpx.create_ssl_context(trust_env=False)
    if proxy is None:
        return _Transport(
            httpcore.ConnectionPool(ssl_context=context, network_backend=_Backend(), retries=0)
        )
    url = httpx.URL(proxy)
    auth = (url.username.encode(), url.password.encode()) if url.username else None
    return _Transport(
        httpcore.HTTPProxy(
            proxy_url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port),
            proxy_auth=auth,
            ssl_context=context,
            proxy_ssl_context=context if url.scheme == "https" else None,
            network_backend=_Backend(),
        )
    )
