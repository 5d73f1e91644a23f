"""Rotation paths the main rotation tests do not walk: a dry run that meets an earlier run's
journal record or state entry, records of other keys that a live run holds or whose rule no
longer exists, and a regenerate call refused as unauthorized."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from leakstop.rotation.journal import InFlight, Journal
from leakstop.rotation.locks import KeyLock
from leakstop.rotation.records import RotationState, Settled
from leakstop.simulator import SimulatorControl
from tests.testing import Outcome, RunCli


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _state() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "leakstop"


def _record(key_sha1: str, provider: str, rule: str) -> InFlight:
    return InFlight(
        old_sha1=key_sha1,
        provider=provider,
        rule=rule,
        where="app.env:1",
        destination=str(_state() / "keys"),
        delivery_kind="file",
        delivery_target=str(_state() / "keys"),
        pid=999999,
    )


def _rotate(run_cli: RunCli, cwd: Path, provider: str, key: str, *extra: str) -> Outcome:
    return run_cli(["rotate", "--provider", provider, "--yes", *extra], cwd, keys=[key], stdin=key)


def _rotate_calls(control: SimulatorControl) -> int:
    return len([c for c in control.calls() if c["call"] == "rotate"])


def test_dry_run_meets_an_unfinished_rotation(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("scrapebit", "live").key
    Journal(_state() / "journal").begin(_record(_sha1(key), "scrapebit", "scrapebit-api-key"))
    outcome = _rotate(run_cli, tmp_path, "scrapebit", key, "--dry-run")
    assert "an earlier rotation of this key did not finish (journal)" in outcome.out
    assert control.calls() == []
    assert len(Journal(_state() / "journal").all()) == 1  # a dry run changes nothing


def test_dry_run_meets_a_remembered_rotation(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    done, lost = (control.create_account("electronhub", "master").key for _ in range(2))
    state = RotationState(_state() / "rotated.json")
    state.remember(_sha1(done), "electronhub", Settled.ROTATED)
    state.remember(_sha1(lost), "electronhub", Settled.NEW_KEY_LOST)
    outcome = _rotate(run_cli, tmp_path, "electronhub", done, "--dry-run")
    assert "skipped" in outcome.out and "already rotated on " in outcome.out
    outcome = _rotate(run_cli, tmp_path, "electronhub", lost, "--dry-run")
    assert "but the new key may be lost (state file" in outcome.out
    assert control.calls() == []


def test_other_records_held_by_a_live_run_or_of_an_unknown_rule(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    """A record whose key lock a live run holds is that run's business: not reported. A
    record of a rule that no longer exists is reported, with generic advice."""
    journal = Journal(_state() / "journal")
    busy, retired = "a" * 40, "b" * 40
    journal.begin(_record(busy, "syncline", "syncline-user-key"))
    journal.begin(_record(retired, "acme", "acme-retired-key"))
    held = KeyLock(_state() / "locks", busy)
    assert held.try_acquire()
    try:
        key = control.create_account("syncline", "user").key
        outcome = _rotate(run_cli, tmp_path, "syncline", key)
    finally:
        held.release()
    assert outcome.code == 0, outcome.out + outcome.err
    assert f"key sha1 {busy[:12]}" not in outcome.out
    assert f"acme: key sha1 {retired[:12]}" in outcome.out
    assert "if it is not there, regenerate the key at the provider" in outcome.out


def test_dry_run_reports_other_records_when_locks_cannot_be_taken(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    Journal(_state() / "journal").begin(_record("c" * 40, "syncline", "syncline-user-key"))
    (_state() / "locks").write_text("")  # a file where the lock directory must be
    key = control.create_account("syncline", "user").key
    outcome = _rotate(run_cli, tmp_path, "syncline", key, "--dry-run")
    assert f"key sha1 {'c' * 12}" in outcome.out
    assert "Syncline settings (API key)" in outcome.out
    assert control.calls() == []


def test_a_regenerate_call_refused_as_unauthorized_means_already_invalid(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    """Syncline answers 401 in its flat shape (`"error": "Unauthorized"`)."""
    key = control.create_account("syncline", "user").key
    control.add_fault("status", key=key, call="rotate", status=401)
    outcome = _rotate(run_cli, tmp_path, "syncline", key)
    assert "already_invalid" in outcome.out or "already invalid" in outcome.out
    assert "the provider rejects this key (HTTP 401)" in outcome.out
    assert _rotate_calls(control) == 1
