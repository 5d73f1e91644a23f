"""Verification and rotation over real HTTP against the provider simulator."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from leakstop.rotation import http
from leakstop.simulator import Simulator, SimulatorControl
from tests.testing import ROTATION_SAMPLES, Repo, RunCli, assert_no_leak, report_of, sha1, state_dir


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return state_dir()


def _plant(repo: Repo, control: SimulatorControl, *providers: str) -> dict[str, str]:
    keys = {p: control.create_account(p, ROTATION_SAMPLES[p][0]).key for p in providers}
    repo.stage(".env", "".join(f"{ROTATION_SAMPLES[p][1]}={k}\n" for p, k in keys.items()))
    return keys


def _rotations(outcome: Any) -> dict[str, dict[str, str]]:
    return {f["provider"]: f["rotation"] for f in report_of(outcome)["findings"]}


def _new_keys(state: Path) -> list[str]:
    return [p.read_text().strip() for p in sorted((state / "keys").glob("*.key"))]


def test_verify_marks_live_and_invalid_keys(
    repo: Repo, control: SimulatorControl, run_cli: RunCli
) -> None:
    keys = _plant(repo, control, *ROTATION_SAMPLES)
    control.revoke(keys["scrapebit"])
    outcome = run_cli(
        ["scan", "--staged", "--verify", "--format", "json"], repo.path, keys=keys.values()
    )
    assert outcome.code == 1
    verified = {f["provider"]: f["verified"] for f in report_of(outcome)["findings"]}
    assert verified == {
        "electronhub": "live",
        "syncline": "live",
        "scrapebit": "invalid",
        "ecgrid": "live",
    }
    assert {c["call"] for c in control.calls()} <= {"check", "me"}


def test_rotate_every_provider_once_with_documented_calls(
    repo: Repo, control: SimulatorControl, run_cli: RunCli, state: Path
) -> None:
    keys = _plant(repo, control, *ROTATION_SAMPLES)
    control.clear_calls()
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    assert outcome.code == 4  # every key rotated
    rotations = _rotations(outcome)
    assert {p: r["status"] for p, r in rotations.items()} == dict.fromkeys(
        ROTATION_SAMPLES, "rotated"
    )
    assert all("old key is now rejected" in r["detail"] for r in rotations.values())

    rotate_calls = [(c["method"], c["path"]) for c in control.calls() if c["call"] == "rotate"]
    user_id = next(a["user_id"] for a in control.accounts() if a["provider"] == "ecgrid")
    assert sorted(rotate_calls) == sorted(
        [
            ("GET", "/electronhub/v1/auth/key/regen"),
            ("POST", "/syncline/v1/user/api-key/regenerate"),
            ("POST", "/scrapebit/v1/user/api-key/regenerate"),
            ("POST", f"/ecgrid/v2/users/key-generate/{user_id}"),
        ]
    )
    headers = {c["provider"]: c["header_names"] for c in control.calls() if c["call"] == "rotate"}
    assert "authorization" in [h.lower() for h in headers["electronhub"]]
    assert "x-api-key" in [h.lower() for h in headers["syncline"]]
    assert "x-api-key" in [h.lower() for h in headers["ecgrid"]]
    me_calls = [
        c for c in control.calls() if c["provider"] == "ecgrid" and c["call"] in ("me", "check")
    ]
    assert me_calls and me_calls[0]["key_sha1"] == sha1(keys["ecgrid"])

    new = _new_keys(state)
    assert len(new) == 4 and not set(new) & set(keys.values())
    for path in (state / "keys").glob("*.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert not path.resolve().is_relative_to(repo.path.resolve())
    assert stat.S_IMODE((state / "keys").stat().st_mode) == 0o700

    audit = [json.loads(line) for line in (state / "audit.jsonl").read_text().splitlines()]
    assert {(a["provider"], a["outcome"], a["old_sha1"]) for a in audit} == {
        (p, "rotated", sha1(k)) for p, k in keys.items()
    }
    assert {a["new_sha1"] for a in audit} == {sha1(k) for k in new}
    # Everything leakstop wrote except the key files themselves holds no key, old or new.
    written = [outcome.out, outcome.err]
    written += [(state / name).read_text() for name in ("audit.jsonl", "rotated.json")]
    assert_no_leak(written, [*keys.values(), *new])

    again = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    assert {r["status"] for r in _rotations(again).values()} == {"skipped"}
    assert len([c for c in control.calls() if c["call"] == "rotate"]) == 4


def test_dead_key_is_already_invalid_and_not_rotated(
    repo: Repo, control: SimulatorControl, run_cli: RunCli
) -> None:
    keys = _plant(repo, control, "scrapebit")
    control.revoke(keys["scrapebit"])
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    assert _rotations(outcome)["scrapebit"]["status"] == "already_invalid"
    assert not [c for c in control.calls() if c["call"] == "rotate"]


@pytest.mark.parametrize("provider", ["electronhub", "syncline", "scrapebit", "ecgrid"])
def test_second_regeneration_within_the_hour_is_rate_limited(
    provider: str, control: SimulatorControl, run_cli: RunCli, tmp_path: Path, state: Path
) -> None:
    key = control.create_account(provider, ROTATION_SAMPLES[provider][0]).key
    first = run_cli(
        ["rotate", "--provider", provider, "--yes"], tmp_path, keys=[key], stdin=key + "\n"
    )
    assert first.code == 0, first.err + first.out
    [new_key] = _new_keys(state)
    second = run_cli(
        ["rotate", "--provider", provider, "--yes"], tmp_path, keys=[key, new_key], stdin=new_key
    )
    assert second.code == 5  # rate limited: the rotation failed for now
    assert "rate_limited: retry in" in second.out
    seconds = int(second.out.split("retry in ")[1].split(" s")[0])
    assert 0 < seconds <= 3600
    control.advance(3601)
    third = run_cli(
        ["rotate", "--provider", provider, "--yes"], tmp_path, keys=[key, new_key], stdin=new_key
    )
    assert third.code == 0, third.out
    assert "rotated" in third.out


def test_lost_answer_is_never_resent_and_not_called_rotated(
    repo: Repo, control: SimulatorControl, run_cli: RunCli
) -> None:
    keys = _plant(repo, control, "electronhub")
    control.add_fault("drop_after_rotate", key=keys["electronhub"], call="rotate")
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    rotation = _rotations(outcome)["electronhub"]
    assert rotation["status"] == "failed"
    assert "old key is dead but the new key was lost" in rotation["detail"]
    assert "by hand" in rotation["detail"]
    assert len([c for c in control.calls() if c["call"] == "rotate"]) == 1


def test_slow_answer_times_out_once(
    repo: Repo, control: SimulatorControl, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(http.TIMEOUTS, "read", 0.3)  # the one knob tests may turn: the clock
    keys = _plant(repo, control, "syncline")
    control.add_fault("slow", key=keys["syncline"], call="rotate", seconds=1.0)
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    rotation = _rotations(outcome)["syncline"]
    assert rotation["status"] == "failed"
    assert rotation["detail"].startswith("timeout: no answer before the read timeout")
    assert "new key was lost" in rotation["detail"]
    assert len([c for c in control.calls() if c["call"] == "rotate"]) == 1


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("500", "HTTP 500 (internal_error): the old key still works, nothing changed"),
        ("html", "HTTP 403 (not JSON: an HTML page from a proxy or CDN?): the old key still works"),
        ("drop_before", "connection closed without an answer: the old key still works"),
    ],
)
def test_failures_that_leave_the_key_alive(
    fault: str, expected: str, repo: Repo, control: SimulatorControl, run_cli: RunCli
) -> None:
    keys = _plant(repo, control, "scrapebit")
    control.add_fault(fault, key=keys["scrapebit"], call="rotate")
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    rotation = _rotations(outcome)["scrapebit"]
    assert rotation["status"] == "failed"
    assert expected in rotation["detail"]
    assert len([c for c in control.calls() if c["call"] == "rotate"]) == 1


def test_redirect_is_not_followed_with_the_key(
    repo: Repo, control: SimulatorControl, run_cli: RunCli
) -> None:
    keys = _plant(repo, control, "ecgrid")
    control.add_fault("redirect", key=keys["ecgrid"], call="rotate")
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    rotation = _rotations(outcome)["ecgrid"]
    assert rotation["status"] == "failed"
    assert "redirect" in rotation["detail"] and "not followed" in rotation["detail"]
    assert not [c for c in control.calls() if c["listener"] != "main"]


def test_repository_files_cannot_redirect_keys(
    repo: Repo, control: SimulatorControl, run_cli: RunCli, sim: Simulator
) -> None:
    keys = _plant(repo, control, "electronhub")
    hostile = f"LEAKSTOP_ELECTRONHUB_URL={sim.decoy_url}/electronhub\n"
    repo.stage(
        ".leakstop/config.toml", f'[endpoints]\nelectronhub = "{sim.decoy_url}/electronhub"\n'
    )
    repo.stage(".envrc", hostile)
    repo.stage(".env.leakstop", hostile)
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"], repo.path, keys=keys.values()
    )
    assert _rotations(outcome)["electronhub"]["status"] == "rotated"
    assert not [c for c in control.calls() if c["listener"] != "main"]


def test_user_config_endpoint_and_plain_http_rules(
    control: SimulatorControl,
    run_cli: RunCli,
    tmp_path: Path,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = control.create_account("scrapebit", "live").key
    monkeypatch.delenv("LEAKSTOP_SCRAPEBIT_URL")
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "leakstop" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[endpoints]\nscrapebit = "{sim.base_url("scrapebit")}"\n')
    ok = run_cli(["rotate", "--provider", "scrapebit", "--yes"], tmp_path, keys=[key], stdin=key)
    assert ok.code == 0 and "rotated" in ok.out
    monkeypatch.setenv("LEAKSTOP_SCRAPEBIT_URL", "http://example.com/scrapebit")
    refused = run_cli(
        ["rotate", "--provider", "scrapebit", "--yes"], tmp_path, keys=[key], stdin=key
    )
    assert refused.code == 2
    assert "plain http is allowed for loopback addresses only" in refused.err


def test_dry_run_calls_nothing(repo: Repo, control: SimulatorControl, run_cli: RunCli) -> None:
    keys = _plant(repo, control, "ecgrid", "electronhub")
    control.clear_calls()
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--dry-run", "--format", "json"],
        repo.path,
        keys=keys.values(),
    )
    rotations = _rotations(outcome)
    assert {r["status"] for r in rotations.values()} == {"dry_run"}
    assert (
        "GET " in rotations["electronhub"]["detail"]
        and "/v1/auth/key/regen" in rotations["electronhub"]["detail"]
    )
    assert control.calls() == []


def test_report_only_families_are_not_rotated(
    repo: Repo, control: SimulatorControl, run_cli: RunCli
) -> None:
    proxy = control.create_account("electronhub", "proxy").key
    test_key = control.create_account("scrapebit", "test").key
    repo.stage("keys.txt", f"{proxy}\n{test_key}\n")
    outcome = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--format", "json"],
        repo.path,
        keys=[proxy, test_key],
    )
    statuses = {f["rule"]: f["rotation"]["status"] for f in report_of(outcome)["findings"]}
    assert statuses == {
        "electronhub-proxy-key": "not_rotatable",
        "scrapebit-test-key": "not_rotatable",
    }
    assert not [c for c in control.calls() if c["call"] == "rotate"]


def test_dotenv_delivery_replaces_one_variable_atomically(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    target = tmp_path / "secrets" / "app.env"
    target.parent.mkdir()
    target.write_text(f'# app\nexport SYNCLINE_KEY="{key}"\nOTHER=1\n')
    target.chmod(0o640)
    outcome = run_cli(
        ["rotate", "--provider", "syncline", "--yes", "--deliver", f"dotenv:{target}:SYNCLINE_KEY"],
        tmp_path,
        keys=[key],
        stdin=key,
    )
    assert outcome.code == 0, outcome.out + outcome.err
    lines = target.read_text().splitlines()
    assert lines[0] == "# app" and lines[2] == "OTHER=1"
    assert lines[1].startswith('export SYNCLINE_KEY="sk_user_') and key not in lines[1]
    target_mode = stat.S_IMODE(target.stat().st_mode)
    assert target_mode == 0o640  # the file keeps its own mode
    assert f"SYNCLINE_KEY in {target}" in outcome.out
    assert [p.name for p in target.parent.iterdir()] == ["app.env"]


def test_exec_delivery_gets_the_key_on_stdin(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("electronhub", "master").key
    sink = tmp_path / "vault.txt"
    script = tmp_path / "store.py"
    script.write_text(
        f"import sys\nopen({str(sink)!r}, 'w').write(sys.stdin.read())\nprint('stored')\n"
    )
    outcome = run_cli(
        [
            "rotate",
            "--provider",
            "electronhub",
            "--yes",
            "--deliver",
            f"exec:{sys.executable} {script}",
        ],
        tmp_path,
        keys=[key],
        stdin=key,
    )
    assert outcome.code == 0, outcome.out + outcome.err
    new_key = sink.read_text().strip()
    assert new_key.startswith("ek-") and new_key != key
    assert_no_leak([outcome.out, outcome.err], [new_key])


def test_delivery_into_the_repository_is_refused(
    repo: Repo, control: SimulatorControl, run_cli: RunCli
) -> None:
    keys = _plant(repo, control, "scrapebit")
    for spec in (f"file:{repo.path / 'keys'}", f"dotenv:{repo.path / '.env'}:SB_KEY"):
        outcome = run_cli(
            ["scan", "--staged", "--rotate", "--yes", "--deliver", spec],
            repo.path,
            keys=keys.values(),
        )
        assert outcome.code == 2
        assert "inside the repository" in outcome.err
    assert not [c for c in control.calls() if c["call"] == "rotate"]


def test_rotate_command_input_errors(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("scrapebit", "live").key
    cases = [
        (["rotate", "--provider", "scrapebit", "--yes"], "", "no key on stdin"),
        (["rotate", "--provider", "electronhub", "--yes"], key, "is not an ElectronHub key"),
        (["rotate", "--provider", "syncline", "--yes"], key, "is not a Syncline key"),
        (["rotate", "--provider", "nope", "--yes"], key, "unknown provider"),
        (["rotate", "--provider", "scrapebit"], key, "add --yes when not on a terminal"),
        (["rotate", "--provider", "scrapebit", "--deliver", "bogus"], key, "use file:DIR"),
        (["scan", "--yes"], "", "go with --rotate"),
    ]
    for args, stdin, message in cases:
        outcome = run_cli(args, tmp_path, keys=[key], stdin=stdin)
        assert outcome.code == 2, args
        assert message in outcome.err, (args, outcome.err)
    assert not [c for c in control.calls() if c["call"] == "rotate"]


def test_ecgrid_user_id_override(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = control.create_account("ecgrid", "api")
    other = control.create_account("ecgrid", "api")
    monkeypatch.setenv("LEAKSTOP_ECGRID_USER_ID", str(other.user_id))
    outcome = run_cli(
        ["rotate", "--provider", "ecgrid", "--yes"], tmp_path, keys=[account.key], stdin=account.key
    )
    assert outcome.code == 5
    assert "HTTP 403" in outcome.out
    paths = [c["path"] for c in control.calls() if c["call"] == "rotate"]
    assert paths == [f"/ecgrid/v2/users/key-generate/{other.user_id}"]
