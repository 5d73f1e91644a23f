"""An unfinished rotation whose provider did answer: the next run looks for the new key
where it was to be delivered (a dotenv variable or a key file), by its hash only, and says
"rotated" when it is there, "may be lost" when it is not."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx

from leakstop.rotation.journal import ANSWERED, InFlight, Journal
from leakstop.simulator import Simulator, SimulatorControl
from tests.testing import Outcome, RunCli


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _journal() -> Journal:
    return Journal(Path(os.environ["XDG_STATE_HOME"]) / "leakstop" / "journal")


def _regenerated(sim: Simulator, control: SimulatorControl) -> tuple[str, str]:
    """A live ElectronHub key, rotated once behind leakstop's back: (old, new)."""
    key = control.create_account("electronhub", "master").key
    answer = httpx.get(
        sim.base_url("electronhub") + "/v1/auth/key/regen",
        headers={"Authorization": f"Bearer {key}"},
    )
    return key, str(answer.json()["key"])


def _answered(key: str, new_key: str, kind: str, target: Path, variable: str = "") -> None:
    _journal().begin(
        InFlight(
            old_sha1=_sha1(key),
            provider="electronhub",
            rule="electronhub-api-key",
            where="app.env:1",
            destination=f"{variable} in {target}" if variable else str(target),
            delivery_kind=kind,
            delivery_target=str(target),
            delivery_variable=variable,
            pid=999999,
            phase=ANSWERED,
            new_sha1=_sha1(new_key),
        )
    )


def _rotate(run_cli: RunCli, cwd: Path, key: str, new_key: str) -> Outcome:
    return run_cli(
        ["rotate", "--provider", "electronhub", "--yes"], cwd, keys=[key, new_key], stdin=key
    )


def test_new_key_found_in_the_dotenv_variable_it_was_delivered_to(
    sim: Simulator, control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key, new_key = _regenerated(sim, control)
    env = tmp_path / "app.env"
    # Another variable holds a different value; the target one is quoted, as users write it.
    env.write_text(f'OTHER=plain\nEH_KEY="{new_key}"\n')
    _answered(key, new_key, "dotenv", env, "EH_KEY")
    outcome = _rotate(run_cli, tmp_path, key, new_key)
    assert outcome.code == 0, outcome.out + outcome.err
    assert f"the new key is in EH_KEY in {env}" in outcome.out
    assert _journal().all() == []


def test_new_key_not_in_the_dotenv_variable_may_be_lost(
    sim: Simulator, control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key, new_key = _regenerated(sim, control)
    env = tmp_path / "app.env"
    env.write_text(f"EH_KEY={key}\nNEW_EH_KEY='{new_key}'\n")  # the new key under another name
    _answered(key, new_key, "dotenv", env, "EH_KEY")
    outcome = _rotate(run_cli, tmp_path, key, new_key)
    assert outcome.code == 5
    assert "the new key may be lost" in outcome.out
    assert "the new key is in" not in outcome.out


def test_missing_dotenv_file_means_the_new_key_may_be_lost(
    sim: Simulator, control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key, new_key = _regenerated(sim, control)
    _answered(key, new_key, "dotenv", tmp_path / "gone.env", "EH_KEY")
    outcome = _rotate(run_cli, tmp_path, key, new_key)
    assert outcome.code == 5
    assert "the new key may be lost" in outcome.out
    assert f"look for the new key in EH_KEY in {tmp_path / 'gone.env'}" in outcome.out


def test_unreadable_and_foreign_key_files_are_passed_over(
    sim: Simulator, control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    """Key files that are not UTF-8 or hold another key are not the new key; the private
    per-user subdirectory is searched too."""
    key, new_key = _regenerated(sim, control)
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    (keys_dir / "broken.key").write_bytes(b"\xff\xfe not text")
    (keys_dir / "other.key").write_text("not-the-key\n")
    _answered(key, new_key, "file", keys_dir)
    outcome = _rotate(run_cli, tmp_path, key, new_key)
    assert outcome.code == 5
    assert "the new key may be lost" in outcome.out

    own = keys_dir / f"leakstop-keys-{os.geteuid()}"
    own.mkdir(mode=0o700)
    (own / "electronhub-1.key").write_text(new_key + "\n")
    _answered(key, new_key, "file", keys_dir)
    outcome = _rotate(run_cli, tmp_path, key, new_key)
    assert outcome.code == 0, outcome.out + outcome.err
    assert f"the new key is in {own / 'electronhub-1.key'}" in outcome.out
