"""The "What to do" block after `--rotate` in each situation that rotates: no second
"rotate it" step (the keys were rotated), the rotation's own lines first; and in CI, the
rotate commands list only the keys that can be rotated."""

from __future__ import annotations

import pytest

from leakstop.simulator import SimulatorControl
from tests.testing import Repo, RunCli, new_key


def _what_to_do(out: str) -> str:
    assert "What to do (" in out, out
    return out[out.index("What to do (") :]


def _committed(repo: Repo, key: str) -> str:
    repo.stage("README.md", "x\n")
    base = repo.commit("base")
    repo.stage("app/settings.py", f'SYNCLINE_KEY = "{key}"\n')
    repo.commit("settings")
    return base


@pytest.mark.parametrize("mode", ["files", "range", "history", "ci"])
def test_after_rotation_no_second_rotation_is_asked_for(
    mode: str,
    repo: Repo,
    run_cli: RunCli,
    control: SimulatorControl,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = control.create_account("syncline", "user").key
    base = _committed(repo, key)
    args = {
        "files": [],
        "range": ["--range", f"{base}..main"],
        "history": ["--history"],
        "ci": ["--history"],
    }[mode]
    if mode == "ci":
        monkeypatch.setenv("CI", "true")
    outcome = run_cli(["scan", *args, "--rotate", "--yes"], repo.path, keys=[key])
    block = _what_to_do(outcome.out)
    assert "After rotation:" in block
    assert "rotated" in block.split("After rotation:", 1)[1].split("\n", 2)[1]
    assert "still in app/settings.py:1" in block
    assert "the old key stopped working" in block
    for ask in ("rotate it as shown", "--rotate) and update", "Rotate every key now"):
        assert ask not in block


def test_ci_rotate_commands_list_only_rotatable_keys(
    repo: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, proxy = new_key("syncline-user-key"), new_key("electronhub-proxy-key")
    repo.stage("a.env", f"SYNCLINE_KEY={live}\nEH_PROXY_KEY={proxy}\n")
    repo.commit("keys")
    monkeypatch.setenv("CI", "true")
    outcome = run_cli(["scan", "--history"], repo.path, keys=[live, proxy])
    block = _what_to_do(outcome.out)
    assert "Rotate every key now" in block
    assert "leakstop rotate --provider syncline" in block
    assert "leakstop rotate --provider electronhub" not in block
