"""The loopback HTTP server: stdlib `ThreadingHTTPServer` glue around `Application`, and the
`Simulator` object that tests and `leakstop simulate` start and stop.

Nothing here prints: request logging and error tracebacks are silenced, because request
lines and headers are where keys travel."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from leakstop.simulator.app import Application, OnCall
from leakstop.simulator.client import SimulatorControl
from leakstop.simulator.dispatch import Outcome
from leakstop.simulator.messages import Reply, json_reply
from leakstop.simulator.providers import PROVIDER_NAMES
from leakstop.simulator.state import DECOY_FALLBACK

HOST = "127.0.0.1"
DECOY_HOST = "127.0.0.2"
MAX_BODY = 1 << 20


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], app: Application, listener: str, stopping: threading.Event
    ) -> None:
        self.app = app
        self.listener = listener
        self.stopping = stopping
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Silent: the default prints a traceback, which could quote request data."""

    def close_connections(self) -> None:
        """End kept-alive connections so handler threads finish when the server stops."""
        with self._open_lock:
            for conn in self._open:
                with contextlib.suppress(OSError):  # already closed by the client
                    conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "leakstop-simulator"
    sys_version = ""
    timeout = 30  # idle kept-alive connections end on their own
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line may carry a key (see `Simulator(on_call=…)` instead)."""

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            self._send(json_reply(400, {"error": "bad_request", "message": str(exc)}))
            return
        target = urlsplit(self.path)
        query = [name for name, _ in parse_qsl(target.query, keep_blank_values=True)]
        try:
            outcome = self.server.app.handle(
                self.server.listener,
                self.command,
                target.path,
                query,
                self.headers.items(),
                body,
            )
        except Exception as exc:  # answer, never print: a traceback could quote a key
            message = f"simulator error ({type(exc).__name__})"
            outcome = Outcome(json_reply(500, {"error": "simulator_error", "message": message}))
        if outcome.delay:
            self.server.stopping.wait(outcome.delay)
        if outcome.reply is None:
            self.close_connection = True  # the connection closes with nothing sent
            return
        if outcome.trickle:
            self._trickle(outcome.reply, outcome.trickle)
            return
        self._send(outcome.reply)

    def _trickle(self, reply: Reply, pause: float) -> None:
        """The whole answer, status line first, one byte at a time (a `trickle` fault)."""
        import io

        real, buffer = self.wfile, io.BytesIO()
        self.close_connection = True
        self.wfile = buffer
        try:
            self._send(reply)
        finally:
            self.wfile = real
        for byte in buffer.getvalue():
            if self.server.stopping.wait(pause):
                return
            try:
                real.write(bytes([byte]))
                real.flush()
            except OSError:  # the client gave up
                return

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length") or "0"
        if not raw.strip().isdigit() or int(raw) > MAX_BODY:
            raise ValueError("bad or too large Content-Length")
        return self.rfile.read(int(raw))

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(64).split(b";")[0].strip() or b"0", 16)
            total += size
            if total > MAX_BODY:
                raise ValueError("body too large")
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _send(self, reply: Reply) -> None:
        headers = dict(reply.headers)
        self.send_response_only(reply.status)
        self.send_header("Server", headers.pop("Server", self.version_string()))
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)


class Simulator:
    """The four providers on one loopback port, each under `/<provider>`.

    `Simulator().start()` (or `with Simulator() as sim:`) binds 127.0.0.1 (port 0: any free
    one) and serves from background threads. Redirect faults point at a decoy listener on
    127.0.0.2 (same port when free), which only logs what reaches it; where 127.0.0.2 cannot
    be bound they point at http://evil.invalid, which never answers.
    """

    def __init__(
        self, port: int = 0, *, decoy_host: str | None = DECOY_HOST, on_call: OnCall | None = None
    ) -> None:
        self._port = port
        self._decoy_host = decoy_host
        self.app = Application(on_call)
        self._stopping = threading.Event()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> Simulator:
        if self._servers:
            raise RuntimeError("the simulator is already running")
        self._stopping.clear()
        main = _Server((HOST, self._port), self.app, "main", self._stopping)
        self._servers = [main]
        self.app.state.url = f"http://{HOST}:{main.server_port}"
        decoy = self._bind_decoy(main.server_port)
        if decoy is not None:
            self._servers.append(decoy)
            self.app.state.decoy_url = f"http://{self._decoy_host}:{decoy.server_port}"
        else:
            self.app.state.decoy_url = DECOY_FALLBACK
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"leakstop-simulator-{server.listener}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def _bind_decoy(self, port: int) -> _Server | None:
        if self._decoy_host is None:
            return None
        for candidate in (port, 0):
            try:
                return _Server((self._decoy_host, candidate), self.app, "redirect", self._stopping)
            except OSError:
                continue
        return None

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a `slow` fault
        for server in self._servers:
            server.shutdown()
            server.close_connections()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    @property
    def running(self) -> bool:
        return bool(self._servers)

    @property
    def url(self) -> str:
        if not self._servers:
            raise RuntimeError("the simulator is not running")
        return self.app.state.url

    @property
    def decoy_url(self) -> str:
        """Where redirect faults send clients by default."""
        return self.app.state.decoy_url

    def base_url(self, provider: str) -> str:
        if provider not in PROVIDER_NAMES:
            raise ValueError(f"unknown provider {provider!r}")
        return f"{self.url}/{provider}"

    def env(self) -> dict[str, str]:
        """`LEAKSTOP_<PROVIDER>_URL` for every provider, pointing here."""
        return {f"LEAKSTOP_{name.upper()}_URL": self.base_url(name) for name in PROVIDER_NAMES}

    @property
    def control(self) -> SimulatorControl:
        return SimulatorControl(self.url)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
