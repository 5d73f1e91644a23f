"""Answers the simulator's providers never give, from a small provider of the test's own
on loopback (real HTTP): an error in the flat `{"error": "…"}` shape on a status that says
nothing definite: shown in the provider's words, never when they hold the key."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.testing import Repo, RunCli, new_key


class _Provider(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: dict[str, tuple[int, object]] = {}
        self.then: dict[str, list[tuple[int, object]]] = {}
        """Answers for a path's later calls, in order (then `answers` again)."""
        self.calls: list[str] = []

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a handshake the client refused: expected in the TLS test, nothing to print

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Provider

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        self.server.calls.append(f"{self.command} {self.path}")
        later = self.server.then.get(self.path)
        if later and any(c.endswith(self.path) for c in self.server.calls[:-1]):
            status, body = later.pop(0)
        else:
            status, body = self.server.answers.get(self.path, (404, {"error": "not found"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Provider]:
    server = _Provider()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", server.url)
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def _verdict(run_cli: RunCli, repo: Repo, key: str) -> tuple[str, str]:
    repo.stage("app.env", f"SYNCLINE_KEY={key}\n")
    outcome = run_cli(["scan", "--staged", "--verify", "--format", "json"], repo.path, keys=[key])
    [finding] = json.loads(outcome.out)["findings"]
    return finding["verified"], finding.get("verified_detail", "")


def test_a_flat_error_on_an_unclear_status_is_shown_in_the_providers_words(
    provider: _Provider, run_cli: RunCli, repo: Repo
) -> None:
    key = new_key("syncline-user-key")
    provider.answers["/v1/user/info"] = (503, {"error": "maintenance\nwindow"})
    assert _verdict(run_cli, repo, key) == ("unknown", "HTTP 503 (maintenancewindow)")


@pytest.mark.parametrize("echo", ["whole", "tail"])
def test_provider_words_holding_the_key_are_left_out(
    provider: _Provider, run_cli: RunCli, repo: Repo, echo: str
) -> None:
    key = new_key("syncline-user-key")
    shown = key if echo == "whole" else key[-12:]
    provider.answers["/v1/user/info"] = (503, {"error": f"bad key {shown}"})
    assert _verdict(run_cli, repo, key) == ("unknown", "HTTP 503")


def test_a_certificate_nobody_vouches_for_is_named(
    repo: Repo, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A provider URL answering TLS with a self-signed certificate: the key is not sent
    over it, and the reason says the certificate is not trusted."""
    cert, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key_file), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key_file)
    server = _Provider()
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", server.url.replace("http:", "https:"))
        verdict = _verdict(run_cli, repo, new_key("syncline-user-key"))
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    assert verdict == ("unknown", "TLS error: the server's certificate is not trusted")
    assert server.calls == []  # no request got through


def test_an_unclear_regenerate_answer_then_an_unclear_check_keeps_the_record(
    provider: _Provider, run_cli: RunCli, tmp_path: Path
) -> None:
    """The regenerate call answers 500 (did it happen?), and the check asked afterwards
    answers 503: whether the key was rotated cannot be told, so the journal record stays for
    the next run, and nothing is sent again."""
    key = new_key("syncline-user-key")
    provider.answers["/v1/user/info"] = (200, {"user": {"id": 7}})
    provider.then["/v1/user/info"] = [(503, {"error": {"code": "unavailable"}})]
    provider.answers["/v1/user/api-key/regenerate"] = (500, {"error": {"code": "internal"}})
    outcome = run_cli(
        ["rotate", "--provider", "syncline", "--yes"], tmp_path, keys=[key], stdin=key
    )
    assert outcome.code == 5, outcome.out + outcome.err
    assert (
        "HTTP 500 (internal): cannot tell whether the key was rotated (HTTP 503 (unavailable))"
        in outcome.out
    )
    assert "the next run checks again" in outcome.out
    assert provider.calls == [
        "GET /v1/user/info",
        "POST /v1/user/api-key/regenerate",
        "GET /v1/user/info",
    ]
    journal = Path(os.environ["XDG_STATE_HOME"]) / "leakstop" / "journal"
    assert len(list(journal.glob("*.json"))) == 1
