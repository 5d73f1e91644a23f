"""Rotation corner cases: the terminal prompt, unreachable providers, answers without a
key, delivery failures, retry-time sources and endpoint rules."""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leakstop.errors import LeakstopError
from leakstop.findings import Finding
from leakstop.providers import get_api, get_provider, get_rule
from leakstop.rotation import delivery, endpoints
from leakstop.rotation.engine import Engine, Target, retry_after
from leakstop.rotation.http import Answer
from leakstop.simulator import SimulatorControl
from tests.testing import RunCli, assert_no_leak


def _keys_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "leakstop" / "keys"


def _read_until(fd: int, needle: bytes, timeout: float = 20.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


@pytest.mark.parametrize(("answer", "rotated"), [(b"y\n", True), (b"n\n", False)])
def test_terminal_prompt_hides_the_key_and_asks_first(
    answer: bytes, rotated: bool, control: SimulatorControl, tmp_path: Path
) -> None:
    key = control.create_account("scrapebit", "live").key
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "leakstop", "rotate", "--provider", "scrapebit"],
        stdin=child,
        stdout=child,
        stderr=child,
        cwd=tmp_path,
        env=os.environ.copy(),
        close_fds=True,
    )
    os.close(child)
    try:
        screen = _read_until(main, b"input hidden")
        os.write(main, key.encode() + b"\n")
        screen += _read_until(main, b"Continue?")
        os.write(main, answer)
        screen += _read_until(main, b"\n" * 1, timeout=1)
        code = proc.wait(timeout=30)
        screen += _read_until(main, b"\0", timeout=0.5)
    finally:
        os.close(main)
        if proc.poll() is None:
            proc.kill()
    text = screen.decode("utf-8", "replace")
    assert "About to regenerate 1 key(s)" in text
    assert_no_leak([text], [key])
    assert code == (0 if rotated else 1)
    assert (": rotated: " in text) is rotated
    assert len(list(_keys_dir().glob("*.key"))) == (1 if rotated else 0)


def test_verify_unknown_without_api_or_answer(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    proxy = control.create_account("electronhub", "proxy").key
    live = control.create_account("syncline", "user").key
    control.add_fault("html", key=live, call="check")
    (tmp_path / "k.txt").write_text(f"{proxy}\n{live}\n")
    outcome = run_cli(
        ["scan", "k.txt", "--verify", "--format", "json"], tmp_path, keys=[proxy, live]
    )
    import json

    verified = {f["rule"]: f["verified"] for f in json.loads(outcome.out)["findings"]}
    assert verified == {"electronhub-proxy-key": "unknown", "syncline-user-key": "unknown"}


def test_unreachable_provider_sends_nothing(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = control.create_account("electronhub", "master").key
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("LEAKSTOP_ELECTRONHUB_URL", f"http://127.0.0.1:{port}")
    outcome = run_cli(
        ["rotate", "--provider", "electronhub", "--yes"], tmp_path, keys=[key], stdin=key
    )
    assert outcome.code == 5
    assert "connection refused" in outcome.out
    assert "the regenerate call was not sent" in outcome.out
    assert "still works" not in outcome.out  # nobody could ask the provider


def test_ecgrid_user_id_unreadable(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    account = control.create_account("ecgrid", "api")
    control.add_fault("500", key=account.key, call="me")
    outcome = run_cli(
        ["rotate", "--provider", "ecgrid", "--yes"], tmp_path, keys=[account.key], stdin=account.key
    )
    assert outcome.code == 5
    assert "could not read the key's user id" in outcome.out
    assert not [c for c in control.calls() if c["call"] == "rotate"]


def _target(rule_id: str, key: str) -> Target:
    rule = get_rule(rule_id)
    return Target(rule, key, [Finding(rule=rule, file="f", line=1, column=1, secret=key)])


def test_success_answer_without_a_new_key(control: SimulatorControl) -> None:
    key = control.create_account("scrapebit", "live").key
    target = _target("scrapebit-api-key", key)
    api = get_api(target.rule)
    assert api is not None
    engine = Engine(delivery=delivery.parse(None))
    try:
        outcome = engine._judge(target, api, Answer(200, {}, {"success": True}))
    finally:
        engine.close()
    assert outcome.status == "failed"
    assert "without a new key" in outcome.detail and "old key still works" in outcome.detail


def test_failed_delivery_falls_back_to_the_state_directory(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    spec = f"exec:{sys.executable} -c 'import sys; sys.exit(3)'"
    outcome = run_cli(
        ["rotate", "--provider", "syncline", "--yes", "--deliver", spec],
        tmp_path,
        keys=[key],
        stdin=key,
    )
    assert outcome.code == 0, outcome.out + outcome.err
    assert "(fallback: --deliver exec:" in outcome.out
    assert len(list(_keys_dir().glob("*.key"))) == 1


def test_new_key_with_nowhere_to_go_is_reported_lost(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("electronhub", "master").key
    _keys_dir().parent.mkdir(parents=True)
    _keys_dir().write_text("")  # the fallback directory cannot be created
    spec = f"exec:{sys.executable} -c 'import sys; sys.exit(3)'"
    outcome = run_cli(
        ["rotate", "--provider", "electronhub", "--yes", "--deliver", spec],
        tmp_path,
        keys=[key],
        stdin=key,
    )
    assert outcome.code == 5
    assert "new key could not be saved and is lost" in outcome.out
    assert "ElectronHub dashboard" in outcome.out


def test_unusable_state_directory_stops_before_any_call(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = control.create_account("scrapebit", "live").key
    blocker = tmp_path / "state-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    outcome = run_cli(
        ["rotate", "--provider", "scrapebit", "--yes"], tmp_path, keys=[key], stdin=key
    )
    assert outcome.code == 2
    assert "cannot use the directory" in outcome.err
    assert control.calls() == []


def test_delivery_spec_and_preflight_errors(tmp_path: Path) -> None:
    for spec in ("dotenv:only-a-path", "exec:", "file:", "ftp:x", "dotenv:x:1BAD"):
        with pytest.raises(LeakstopError, match=r"^--deliver"):
            delivery.parse(spec)
    with pytest.raises(LeakstopError, match="is not an executable"):
        delivery.parse("exec:no-such-program-xyz --store").preflight(None)
    with pytest.raises(LeakstopError, match="cannot write in"):
        delivery.parse(f"dotenv:{tmp_path / 'missing' / 'x.env'}:VAR").preflight(None)
    spec = delivery.parse(f"exec:{sys.executable} -c pass")
    spec.preflight(None)
    assert spec.describe() == f"the stdin of `{sys.executable}`"


def test_dotenv_appends_missing_variable_and_creates_files(tmp_path: Path) -> None:
    existing = tmp_path / "a.env"
    existing.write_text("A=1")  # no trailing newline
    delivery.parse(f"dotenv:{existing}:NEW_KEY").deliver("value-one", "label")
    assert existing.read_text() == "A=1\nNEW_KEY=value-one\n"
    fresh = tmp_path / "b.env"
    delivery.parse(f"dotenv:{fresh}:K").deliver("value-two", "label")
    assert fresh.read_text() == "K=value-two\n"


def test_exec_delivery_failure_modes(tmp_path: Path) -> None:
    with pytest.raises(LeakstopError, match="exited with 4"):
        delivery.parse(f"exec:{sys.executable} -c 'import sys; sys.exit(4)'").deliver("k", "l")
    with pytest.raises(LeakstopError, match="failed"):
        delivery.parse(f"exec:{tmp_path / 'nope'}").deliver("k", "l")


def test_dotenv_inside_repository_allowed_only_when_ignored(tmp_path: Path) -> None:
    from tests.testing import init_repo

    repo = init_repo(tmp_path / "r")
    repo.stage(".gitignore", "local.env\n")
    delivery.parse(f"dotenv:{repo.path / 'local.env'}:K").preflight(repo.path)
    with pytest.raises(LeakstopError, match="inside the repository"):
        delivery.parse(f"dotenv:{repo.path / 'tracked.env'}:K").preflight(repo.path)


def test_retry_time_sources() -> None:
    scrapebit = get_api(get_rule("scrapebit-api-key"))
    syncline = get_api(get_rule("syncline-user-key"))
    electronhub = get_api(get_rule("electronhub-api-key"))
    assert scrapebit and syncline and electronhub
    soon = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 120))
    assert 100 <= retry_after(electronhub, Answer(429, {"retry-after": soon}, None)) <= 120
    body = {"error": {"code": "rate_limited", "retry_after": 2400}}
    assert retry_after(scrapebit, Answer(429, {}, body)) == 2400
    reset = str(int(time.time()) + 600)
    assert 598 <= retry_after(syncline, Answer(429, {"x-ratelimit-reset": reset}, None)) <= 600
    assert retry_after(electronhub, Answer(429, {}, None)) == 3600


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/x", "the value is not an http(s) URL"),
        ("https://user:pw@api.example.com", "no credentials"),
        ("https://api.example.com/?q=1", "no credentials, query or fragment"),
        ("http://10.0.0.1", "loopback addresses only"),
    ],
)
def test_endpoint_rules(url: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", url)
    with pytest.raises(LeakstopError, match=re.escape(message)):
        endpoints.base_url(get_provider("syncline"))


@pytest.mark.parametrize(
    "url", ["http://localhost:1/", "http://[::1]:9", "https://api.example.com/v"]
)
def test_accepted_endpoints(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", url)
    assert endpoints.base_url(get_provider("syncline")) == url.rstrip("/")


def test_broken_user_config_is_a_one_line_error(run_cli: RunCli, tmp_path: Path) -> None:
    config = endpoints.config_path()
    config.parent.mkdir(parents=True)
    config.write_text("[endpoints\n")
    outcome = run_cli(
        ["rotate", "--provider", "syncline", "--yes"], tmp_path, stdin="sk_user_" + "a1" * 12
    )
    assert outcome.code == 2
    assert "cannot read" in outcome.err and outcome.err.count("\n") == 1
