"""A rotation is never lost without a record: real child processes are SIGKILLed at each
step of a rotation against the simulator, and the next run finds the journal record, checks
the old key and says what to do. Also: state that cannot be written stops a run before any
call is sent."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from leakstop.rotation.journal import InFlight, Journal
from leakstop.simulator import Simulator, SimulatorControl
from tests.testing import Repo, RunCli, assert_no_leak, rotate_calls, sha1, state_dir


def _journal_files() -> list[Path]:
    return sorted((state_dir() / "journal").glob("*.json"))


def _start(args: list[str], stdin: str, cwd: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "leakstop", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=os.environ.copy(),
    )
    assert proc.stdin is not None
    proc.stdin.write(stdin.encode() + b"\n")
    proc.stdin.close()
    proc.stdin = None  # communicate() later must not touch it
    return proc


def _wait_for(condition: Any, timeout: float = 30.0) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "timed out waiting"
        time.sleep(0.05)


def _kill(proc: subprocess.Popen[bytes]) -> str:
    os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return (out + err).decode("utf-8", "replace")


def _journal_text() -> str:
    return "".join(p.read_text() for p in _journal_files())


@pytest.mark.parametrize("rerun", ["rotate", "scan"])
def test_killed_during_a_slow_regenerate_is_found_and_explained(
    rerun: str, control: SimulatorControl, run_cli: RunCli, tmp_path: Path, repo: Repo
) -> None:
    key = control.create_account("electronhub", "master").key
    control.add_fault("slow", key=key, call="rotate", seconds=30)
    proc = _start(["rotate", "--provider", "electronhub", "--yes"], key, tmp_path)
    _wait_for(lambda: rotate_calls(control))  # the provider has rotated; its answer waits
    printed = _kill(proc)
    # The record is on disk, holds hashes only, and names the key and the destination.
    [record_file] = _journal_files()
    assert record_file.name == f"{sha1(key)}.json"
    record = json.loads(record_file.read_text())
    assert record["provider"] == "electronhub" and record["phase"] == "sending"
    assert record["pid"] == proc.pid and record["destination"].endswith("keys")
    assert_no_leak([printed, _journal_text()], [key])

    if rerun == "rotate":
        outcome = run_cli(
            ["rotate", "--provider", "electronhub", "--yes"], tmp_path, keys=[key], stdin=key
        )
        text = outcome.out
    else:
        repo.stage(".env", f"EH_KEY={key}\n")
        outcome = run_cli(
            ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=[key]
        )
        [finding] = json.loads(outcome.out)["findings"]
        assert finding["rotation"]["status"] == "failed"
        assert finding["rotation"]["new_key"] == "lost"
        text = finding["rotation"]["detail"]
    assert outcome.code == 5
    assert (
        f"was in flight (started {record['started']} by pid {proc.pid}) and did not finish" in text
    )
    assert "the provider now rejects the old key, so it was rotated" in text
    assert "new key may be lost" in text
    assert "regenerate the key by hand: the ElectronHub dashboard" in text
    assert len(rotate_calls(control)) == 1  # never sent again
    assert _journal_files() == []  # explained once, and recorded in the audit log
    audit = (state_dir() / "audit.jsonl").read_text()
    assert "new key may be lost" in audit and sha1(key) in audit

    # A third run knows from the state file; still nothing sent.
    again = run_cli(
        ["rotate", "--provider", "electronhub", "--yes"], tmp_path, keys=[key], stdin=key
    )
    assert "skipped" in again.out and "new key may be lost" in again.out
    assert len(rotate_calls(control)) == 1


def _exec_spec(tmp_path: Path, body: str) -> str:
    script = tmp_path / "deliver.py"
    script.write_text(body)
    return f"exec:{sys.executable} {script}"


def test_killed_after_the_answer_while_delivering(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("scrapebit", "live").key
    marker = tmp_path / "delivering"
    spec = _exec_spec(
        tmp_path,
        "import os, sys, time\n"
        f"open({str(marker)!r}, 'w').write(str(os.getpid()))\n"
        "time.sleep(60)\n",
    )
    proc = _start(["rotate", "--provider", "scrapebit", "--yes", "--deliver", spec], key, tmp_path)
    _wait_for(lambda: marker.exists() and marker.read_text())
    helper = int(marker.read_text())
    printed = _kill(proc)
    os.kill(helper, signal.SIGKILL)  # the delivery program the killed run had started
    [record_file] = _journal_files()
    record = json.loads(record_file.read_text())
    assert record["phase"] == "answered" and len(record["new_sha1"]) == 40
    assert_no_leak([printed, _journal_text()], [key])

    outcome = run_cli(
        ["rotate", "--provider", "scrapebit", "--yes"], tmp_path, keys=[key], stdin=key
    )
    assert outcome.code == 5
    assert "did not finish" in outcome.out and "new key may be lost" in outcome.out
    assert f"its sha1 starts {record['new_sha1'][:12]}" in outcome.out
    assert "scrapebit.com: Settings → Profile → Regenerate API Key" in outcome.out
    assert len(rotate_calls(control)) == 1


def test_killed_after_delivery_before_the_record_was_closed(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    vault = tmp_path / "vault.txt"
    # The delivery program stores the key, then its parent dies before closing the record.
    spec = _exec_spec(
        tmp_path,
        "import os, signal, sys\n"
        f"open({str(vault)!r}, 'w').write(sys.stdin.read())\n"
        "os.kill(os.getppid(), signal.SIGKILL)\n",
    )
    proc = _start(["rotate", "--provider", "syncline", "--yes", "--deliver", spec], key, tmp_path)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    new_key = vault.read_text()
    [record_file] = _journal_files()
    assert json.loads(record_file.read_text())["new_sha1"] == sha1(new_key)

    outcome = run_cli(
        ["rotate", "--provider", "syncline", "--yes"], tmp_path, keys=[key, new_key], stdin=key
    )
    assert outcome.code == 5
    assert "look for the new key in the stdin of" in outcome.out
    assert len(rotate_calls(control)) == 1


def _record(key: str, provider: str, rule: str, destination: Path, **extra: Any) -> InFlight:
    return InFlight(
        old_sha1=sha1(key),
        provider=provider,
        rule=rule,
        where="app.env:1",
        destination=str(destination),
        delivery_kind="file",
        delivery_target=str(destination),
        pid=999999,
        **extra,
    )


def test_a_delivered_new_key_is_found_by_its_hash(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, sim: Simulator
) -> None:
    """The run died after writing the key file: the next one finds it and calls it rotated."""
    import httpx

    key = control.create_account("electronhub", "master").key
    answer = httpx.get(
        sim.base_url("electronhub") + "/v1/auth/key/regen",
        headers={"Authorization": f"Bearer {key}"},
    )
    new_key = answer.json()["key"]
    keys_dir = state_dir() / "keys"
    keys_dir.mkdir(parents=True, mode=0o700)
    (keys_dir / "electronhub-x.key").write_text(new_key + "\n")
    Journal(state_dir() / "journal").begin(
        _record(key, "electronhub", "electronhub-api-key", keys_dir, phase="answered",
                new_sha1=sha1(new_key))
    )  # fmt: skip
    outcome = run_cli(
        ["rotate", "--provider", "electronhub", "--yes"], tmp_path, keys=[key, new_key], stdin=key
    )
    assert outcome.code == 0, outcome.out
    assert "rotated" in outcome.out and "the new key is in" in outcome.out
    assert str(keys_dir / "electronhub-x.key") in outcome.out
    assert _journal_files() == []


def test_killed_before_the_call_reached_the_provider_rotates_now(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("ecgrid", "api").key
    Journal(state_dir() / "journal").begin(
        _record(key, "ecgrid", "ecgrid-api-key", state_dir() / "keys")
    )
    outcome = run_cli(["rotate", "--provider", "ecgrid", "--yes"], tmp_path, keys=[key], stdin=key)
    assert outcome.code == 0, outcome.out
    assert "still accepts the key, so it was not rotated: rotating it now" in outcome.out
    assert len(rotate_calls(control)) == 1
    assert _journal_files() == []


def test_unreachable_provider_keeps_the_record_and_sends_nothing(
    control: SimulatorControl,
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = control.create_account("scrapebit", "live").key
    Journal(state_dir() / "journal").begin(
        _record(key, "scrapebit", "scrapebit-api-key", state_dir() / "keys")
    )
    control.add_fault("500", key=key, call="check", times=None)
    outcome = run_cli(
        ["rotate", "--provider", "scrapebit", "--yes"], tmp_path, keys=[key], stdin=key
    )
    assert outcome.code == 5
    assert "cannot be checked now (HTTP 500 (internal_error))" in outcome.out
    assert "not sent again" in outcome.out
    assert not rotate_calls(control)
    assert len(_journal_files()) == 1  # the next run checks again


def test_records_of_other_keys_are_reported_by_any_rotating_run(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, repo: Repo
) -> None:
    lost = control.create_account("syncline", "user").key
    Journal(state_dir() / "journal").begin(
        _record(lost, "syncline", "syncline-user-key", state_dir() / "keys")
    )
    other = control.create_account("electronhub", "master").key
    repo.stage(".env", f"EH_KEY={other}\n")
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"],
        repo.path,
        keys=[lost, other],
    )
    assert f"key sha1 {sha1(lost)[:12]}" in outcome.err
    assert "a rotation was in flight" in outcome.err
    assert "did not finish; the new key may be lost" in outcome.err
    assert "Syncline settings (API key)" in outcome.err
    assert "leakstop rotate --provider syncline" in outcome.err
    assert len(_journal_files()) == 1  # it stays until a run can check that key


# -- state that cannot be written --------------------------------------------------------


def _assert_refused(outcome: Any, control: SimulatorControl, message: str) -> None:
    assert outcome.code == 2, outcome.out + outcome.err
    assert message in outcome.err
    assert len(outcome.err.strip().splitlines()) == 1
    assert "internal error" not in outcome.err
    assert control.calls() == []


@pytest.mark.parametrize("blocked", ["rotated.json", "audit.jsonl", "journal", "locks"])
def test_state_paths_that_are_not_writable_stop_before_any_call(
    blocked: str, control: SimulatorControl, run_cli: RunCli, tmp_path: Path, repo: Repo
) -> None:
    keys = [control.create_account("scrapebit", "live").key for _ in range(2)]
    repo.stage(".env", "".join(f"SB_KEY_{i}={k}\n" for i, k in enumerate(keys)))
    state_dir().mkdir(parents=True)
    if blocked in ("journal", "locks"):
        (state_dir() / blocked).write_text("")  # a file where a directory must be
    else:
        (state_dir() / blocked).mkdir()  # a directory where a file must be
    outcome = run_cli(["scan", "--staged", "--verify", "--rotate", "--yes"], repo.path, keys=keys)
    _assert_refused(outcome, control, str(state_dir()))


@contextmanager
def _tmpfs(path: Path, options: str) -> Iterator[None]:
    path.mkdir(parents=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_full_disk_stops_before_any_call(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = control.create_account("electronhub", "master").key
    disk = tmp_path / "disk"
    with _tmpfs(disk, "size=64k"):
        (disk / "leakstop").mkdir(mode=0o700)
        # Writes until the disk is full.
        with open(disk / "filler", "wb", buffering=0) as filler, contextlib.suppress(OSError):
            while True:
                filler.write(b"\0" * 4096)
        monkeypatch.setenv("XDG_STATE_HOME", str(disk))
        outcome = run_cli(
            ["rotate", "--provider", "electronhub", "--yes"], tmp_path, keys=[key], stdin=key
        )
    _assert_refused(outcome, control, "No space left on device")


def test_read_only_state_stops_before_any_call(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = control.create_account("electronhub", "master").key
    disk = tmp_path / "ro"
    if os.geteuid() != 0:
        (disk / "leakstop").mkdir(parents=True, mode=0o700)
        disk.joinpath("leakstop").chmod(0o500)
        monkeypatch.setenv("XDG_STATE_HOME", str(disk))
        outcome = run_cli(
            ["rotate", "--provider", "electronhub", "--yes"], tmp_path, keys=[key], stdin=key
        )
    else:
        with _tmpfs(disk, "ro,size=64k"):
            monkeypatch.setenv("XDG_STATE_HOME", str(disk))
            outcome = run_cli(
                ["rotate", "--provider", "electronhub", "--yes"], tmp_path, keys=[key], stdin=key
            )
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    _assert_refused(outcome, control, reason)
