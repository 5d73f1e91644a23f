"""`leakstop simulate --account / --accounts-from`: the rotation journey against a running
simulator with leakstop commands alone, over real HTTP on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from leakstop.secrets_text import hashed_secret
from leakstop.simulator import Simulator, SimulatorControl
from tests.testing import Repo, RunCli, assert_no_leak, new_key, read_banner


def live_hashes(control: SimulatorControl) -> set[str]:
    return {str(a["key_sha1"]) for a in control.accounts()}


@pytest.mark.parametrize(
    ("provider", "kind", "prefix"),
    [
        ("scrapebit", None, "sb_live_"),
        ("electronhub", "proxy", "ek-proxy-"),
        ("syncline", None, "sk_user_"),
        ("ecgrid", None, ""),
    ],
)
def test_account_prints_a_live_key_and_nothing_else(
    sim: Simulator,
    control: SimulatorControl,
    run_cli: RunCli,
    tmp_path: Path,
    provider: str,
    kind: str | None,
    prefix: str,
) -> None:
    args = ["simulate", "--account", provider, "--url", sim.url]
    outcome = run_cli([*args, *(["--kind", kind] if kind else [])], tmp_path)
    assert outcome.code == 0, outcome.err
    assert outcome.err == ""
    key = outcome.out.removesuffix("\n")
    assert "\n" not in key and key.startswith(prefix) and len(key) >= 32
    assert live_hashes(control) == {hashed_secret(key)}


def test_accounts_from_makes_the_keys_under_a_path_live(
    sim: Simulator,
    control: SimulatorControl,
    run_cli: RunCli,
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = {
        "electronhub-api-key": new_key("electronhub-api-key"),
        "syncline-user-key": new_key("syncline-user-key"),
        "scrapebit-api-key": new_key("scrapebit-api-key"),
        "ecgrid-api-key": new_key("ecgrid-api-key"),
    }
    outside = new_key("scrapebit-api-key")
    repo.write("app/eh.py", f'KEY = "{keys["electronhub-api-key"]}"\n')
    repo.write("app/more/sc.js", f'const k = "{keys["syncline-user-key"]}";\n')
    repo.write("app/sb.env", f"SB={keys['scrapebit-api-key']}\nAGAIN={keys['scrapebit-api-key']}\n")
    repo.write("app/ecgrid.env", f"ECGRID_API_KEY={keys['ecgrid-api-key']}\n")
    repo.write("elsewhere.env", f"SB={outside}\n")
    every = [*keys.values(), outside]
    control.create_account("syncline", key=keys["syncline-user-key"])  # already live

    monkeypatch.setenv("LEAKSTOP_SIMULATOR_URL", sim.url)
    outcome = run_cli(["simulate", "--accounts-from", "app"], repo.path, keys=every)
    assert outcome.code == 0, outcome.err
    assert live_hashes(control) == {hashed_secret(k) for k in keys.values()}
    lines = outcome.out.splitlines()
    assert len(lines) == 5  # one per distinct key, then the summary
    assert any(line.startswith("known") and "app/more/sc.js:1" in line for line in lines)
    assert "4 key(s) found under app: 3 made live, 1 already known" in lines[-1]

    again = run_cli(["simulate", "--accounts-from", "app"], repo.path, keys=every)
    assert "0 made live, 4 already known" in again.out

    empty = repo.path / "empty"
    empty.mkdir()
    assert run_cli(["simulate", "--accounts-from", "empty"], repo.path).out.startswith(
        "no keys found under empty"
    )


def test_rotation_journey_with_leakstop_commands_alone(
    sim: Simulator, control: SimulatorControl, run_cli: RunCli, repo: Repo
) -> None:
    """docs/rotation.md's journey: a live key from the simulator, committed, found live,
    rotated, then dead; and a key committed by hand, made live with --accounts-from."""
    made = run_cli(["simulate", "--account", "scrapebit", "--url", sim.url], repo.path)
    key = made.out.strip()
    own = new_key("electronhub-api-key")
    repo.stage("app.env", f"SCRAPEBIT_KEY={key}\nELECTRONHUB_KEY={own}\n")
    repo.commit("add keys")
    made_live = run_cli(["simulate", "--accounts-from", ".", "--url", sim.url], repo.path, [own])
    assert "1 made live, 1 already known" in made_live.out

    def scan(*args: str) -> dict[str, Any]:
        outcome = run_cli(["scan", "--history", "--format", "json", *args], repo.path, [key, own])
        report: dict[str, Any] = json.loads(outcome.out)
        return report

    assert {f["verified"] for f in scan("--verify")["findings"]} == {"live"}
    rotated = scan("--rotate", "--yes")["findings"]
    assert {f["rotation"]["status"] for f in rotated} == {"rotated"}
    assert {f["verified"] for f in scan("--verify")["findings"]} == {"invalid"}


def test_without_a_running_simulator_it_says_how_to_start_one(
    run_cli: RunCli, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for args in (["--account", "ecgrid"], ["--accounts-from", "."]):
        outcome = run_cli(["simulate", *args, "--url", url], tmp_path)
        assert outcome.code == 2
        assert outcome.out == ""
        assert outcome.err.count("\n") == 1
        assert f"no leakstop simulator answers at {url}" in outcome.err
        assert "start one with `leakstop simulate`" in outcome.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "ecgrid", "--accounts-from", "."], "exclude each other"),
        (["--kind", "proxy"], "--kind goes with --account"),
        (["--account", "nope"], "'nope' is not one of"),
    ],
)
def test_usage_errors(run_cli: RunCli, tmp_path: Path, args: list[str], message: str) -> None:
    outcome = run_cli(["simulate", *args], tmp_path)
    assert outcome.code == 2
    assert message in outcome.err


def test_bad_kind_is_the_simulators_one_line(
    sim: Simulator, run_cli: RunCli, tmp_path: Path
) -> None:
    outcome = run_cli(
        ["simulate", "--account", "electronhub", "--kind", "bogus", "--url", sim.url], tmp_path
    )
    assert outcome.code == 2
    assert (
        outcome.err
        == "leakstop: error: electronhub has no key kind 'bogus' (known: master, proxy, dev)\n"
    )


def test_account_against_the_command_line_simulator() -> None:
    """Two processes, as a user runs them: `leakstop simulate` and `--account` beside it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "leakstop", "simulate", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        url, exports = read_banner(server.stdout)
        made = subprocess.run(
            [sys.executable, "-m", "leakstop", "simulate", "--account", "syncline"],
            capture_output=True,
            text=True,
            env={**env, **exports},
        )
        assert made.returncode == 0, made.stderr
        key = made.stdout.strip()
        assert key.startswith("sk_user_")
        assert {a["key_sha1"] for a in SimulatorControl(url).accounts()} == {hashed_secret(key)}
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    assert_no_leak([out, err], [key])
