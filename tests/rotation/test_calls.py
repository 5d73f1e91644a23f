"""Provider calls: a whole-call deadline against a server that trickles its answer, an
explicit proxy (and only an explicit one), and a reason for every verdict that is not
definite."""

from __future__ import annotations

import errno
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from leakstop.findings import Finding
from leakstop.providers import get_rule
from leakstop.rotation import http
from leakstop.rotation.apply import verify_findings
from leakstop.rotation.engine import Engine
from leakstop.simulator import Simulator, SimulatorControl
from tests.testing import Repo, RunCli, rotate

# -- the whole-call deadline -------------------------------------------------------------


def test_a_trickling_check_call_ends_at_the_deadline(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = control.create_account("scrapebit", "live").key
    # One byte every 0.4 s: each read succeeds long before the 20 s read timeout.
    control.add_fault("trickle", key=key, call="check", seconds=0.4, times=None)
    monkeypatch.setenv("LEAKSTOP_CALL_DEADLINE", "1.5")
    (tmp_path / "k.env").write_text(f"SB_KEY={key}\n")
    started = time.monotonic()
    outcome = run_cli(["scan", "k.env", "--verify", "--format", "json"], tmp_path, keys=[key])
    assert time.monotonic() - started < 8
    [finding] = json.loads(outcome.out)["findings"]
    assert finding["verified"] == "unknown"


def test_a_trickling_regenerate_answer_is_cut_and_never_resent(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    control.add_fault("trickle", key=key, call="rotate", seconds=0.3)
    started = time.monotonic()
    outcome = rotate(run_cli, "syncline", key, tmp_path, "--call-deadline", "1")
    assert time.monotonic() - started < 8
    assert outcome.code == 5
    assert "did not finish within its 1 s deadline (LEAKSTOP_CALL_DEADLINE)" in outcome.out
    assert "the old key is dead but the new key was lost" in outcome.out
    assert len([c for c in control.calls() if c["call"] == "rotate"]) == 1


def test_no_regenerate_call_after_a_check_call_without_answer(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = control.create_account("electronhub", "master").key
    control.add_fault("trickle", key=key, call="check", seconds=0.5, times=None)
    monkeypatch.setenv("LEAKSTOP_CALL_DEADLINE", "1")
    started = time.monotonic()
    outcome = rotate(run_cli, "electronhub", key, tmp_path)
    assert time.monotonic() - started < 6  # one call's deadline, not three
    assert outcome.code == 5
    assert "did not answer the check call (timeout: the call did not finish" in outcome.out
    assert "the regenerate call was not sent" in outcome.out
    assert not [c for c in control.calls() if c["call"] == "rotate"]


def test_bad_deadline_values_are_one_line_errors(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for value in ("0", "-3", "soon", "99999"):
        outcome = run_cli(["rotate", "--provider", "syncline", "--call-deadline", value], tmp_path)
        assert outcome.code == 2 and "give seconds between 0 and 3600" in outcome.err
    monkeypatch.setenv("LEAKSTOP_CALL_DEADLINE", "nan")
    outcome = run_cli(["rotate", "--provider", "syncline", "--yes"], tmp_path, stdin="sk_user_x")
    assert outcome.code == 2


# -- the explicit proxy --------------------------------------------------------------------


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bool]] = []
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Forward(BaseHTTPRequestHandler):
    """A forwarding proxy for absolute-form http requests (what a client sends a proxy
    for a plain-http target); it logs method, target and whether it got credentials."""

    server: _Proxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""

    def _relay(self) -> None:
        self.server.seen.append((self.command, self.path, "Proxy-Authorization" in self.headers))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if not k.lower().startswith("proxy-")}
        request = urllib.request.Request(self.path, data=body, method=self.command, headers=headers)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            answer = opener.open(request, timeout=10)
        except urllib.error.HTTPError as exc:
            answer = exc
        payload = answer.read()
        self.send_response(answer.status if hasattr(answer, "status") else answer.code)
        for name, value in answer.headers.items():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _relay


@pytest.fixture
def proxy() -> Iterator[_Proxy]:
    server = _Proxy()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_rotation_through_an_explicit_proxy(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, proxy: _Proxy, sim: Simulator
) -> None:
    key = control.create_account("electronhub", "master").key
    outcome = rotate(run_cli, "electronhub", key, tmp_path, "--proxy", proxy.url)
    assert outcome.code == 0, outcome.out + outcome.err
    assert "rotated" in outcome.out
    paths = [(method, path) for method, path, _ in proxy.seen]
    base = sim.base_url("electronhub")
    assert paths == [
        ("GET", f"{base}/v1/user/me"),
        ("GET", f"{base}/v1/auth/key/regen"),
        ("GET", f"{base}/v1/user/me"),
    ]


def test_proxy_from_the_environment_variable_with_credentials(
    control: SimulatorControl,
    run_cli: RunCli,
    repo: Repo,
    proxy: _Proxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = control.create_account("scrapebit", "live").key
    repo.stage(".env", f"SB_KEY={key}\n")
    user_url = proxy.url.replace("http://", "http://ci-user:s3cret-pw@")
    monkeypatch.setenv("LEAKSTOP_PROXY", user_url)
    outcome = run_cli(["scan", "--staged", "--verify", "--format", "json"], repo.path, keys=[key])
    assert json.loads(outcome.out)["findings"][0]["verified"] == "live"
    assert [(m, auth) for m, _, auth in proxy.seen] == [("GET", True)]
    assert "s3cret-pw" not in outcome.out + outcome.err


def test_standard_proxy_variables_are_never_used(
    control: SimulatorControl,
    run_cli: RunCli,
    tmp_path: Path,
    proxy: _Proxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = control.create_account("syncline", "user").key
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.setenv("NO_PROXY", "")
    assert rotate(run_cli, "syncline", key, tmp_path).code == 0
    assert proxy.seen == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("socks5://127.0.0.1:1080", "use http://HOST:PORT or https://HOST:PORT"),
        ("ftp://admin:hunter2pw@proxy:21", "use http://HOST:PORT"),
        ("http://proxy.example:8080/path?x=1", "scheme://[user:password@]host:port only"),
        ("http://proxy.example:99999", "not a URL"),
        ("http://192.0.2.10:3128", "may go through a loopback proxy only"),
    ],
)
def test_bad_or_unsafe_proxies_are_refused(
    value: str, message: str, control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    outcome = rotate(run_cli, "syncline", key, tmp_path, "--proxy", value)
    assert outcome.code == 2
    assert message in outcome.err and len(outcome.err.splitlines()) == 1
    assert "hunter2pw" not in outcome.err
    assert control.calls() == []
    # A refused value is not kept: the next command in this process calls directly.
    assert rotate(run_cli, "syncline", key, tmp_path).code == 0


# -- every non-definite verdict says why ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _verdict(rule_id: str, key: str) -> tuple[str | None, str | None]:
    finding = Finding(rule=get_rule(rule_id), file="f", line=1, column=1, secret=key)
    engine = Engine()
    try:
        verify_findings([finding], engine)
    finally:
        engine.close()
    return finding.verified, finding.verify_reason


def test_reasons_for_unknown_verdicts(
    control: SimulatorControl, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = control.create_account("syncline", "user").key
    rule = "syncline-user-key"
    assert _verdict(rule, key) == ("live", None)

    control.add_fault("status", key=key, call="check", status=503)
    assert _verdict(rule, key) == ("unknown", "HTTP 503 (simulated_error)")
    control.add_fault("status", key=key, call="check", status=429, seconds=120)
    status, reason = _verdict(rule, key)
    assert status == "unknown" and reason is not None
    assert reason.startswith("rate limited (HTTP 429): retry in 1") and "UTC" in reason
    control.add_fault("html", key=key, call="check")
    assert _verdict(rule, key)[1] == "HTTP 403 (not JSON: an HTML page from a proxy or CDN?)"
    control.add_fault("drop_before", key=key, call="check")
    assert _verdict(rule, key)[1] == "connection closed without an answer"

    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", f"http://127.0.0.1:{_free_port()}")
    assert _verdict(rule, key) == ("unknown", "connection refused")
    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", "https://leakstop-test.invalid")
    reason = _verdict(rule, key)[1]
    assert reason is not None and reason.startswith("DNS failure")
    # TLS spoken to a plain-http server.
    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", sim.url.replace("http://", "https://"))
    assert _verdict(rule, key)[1] == "TLS error: the secure connection failed"
    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", sim.base_url("syncline"))

    proxy_key = control.create_account("electronhub", "proxy").key
    assert _verdict("electronhub-proxy-key", proxy_key) == (
        "unknown",
        "the provider has no check call for this kind of key (ElectronHub Proxy Key)",
    )


def test_reason_phrases_for_network_failures() -> None:
    """Faults the simulator cannot produce (no network at all) map to plain phrases."""
    import httpx

    def wrapped(cause: BaseException) -> httpx.ConnectError:
        error = httpx.ConnectError("x")
        error.__cause__ = cause
        return error

    assert http.reason(wrapped(OSError(errno.ENETUNREACH, "x"))).startswith("offline")
    assert http.reason(wrapped(OSError(errno.EHOSTUNREACH, "x"))) == "host unreachable"
    offline_dns = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    assert http.reason(wrapped(offline_dns)).endswith("(offline?)")


def test_rotate_never_claims_the_key_works_when_nobody_answered(
    control: SimulatorControl,
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    repo: Repo,
) -> None:
    key = control.create_account("ecgrid", "api").key
    monkeypatch.setenv("LEAKSTOP_ECGRID_URL", f"http://127.0.0.1:{_free_port()}")
    outcome = rotate(run_cli, "ecgrid", key, tmp_path)
    assert outcome.code == 5
    assert "still works" not in outcome.out and "nothing changed" not in outcome.out
    assert "connection refused" in outcome.out
    # In a scan, the reason also lands on the finding (rendered by the reports).
    repo.stage("app.env", f"ECGRID_API_KEY={key}\n")
    report = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=[key]
    )
    [finding] = json.loads(report.out)["findings"]
    assert finding["rotation"]["status"] == "failed"
