"""The exit-code table (leakstop/exit_codes.py, docs/design.md) holds for real runs: real
repositories, real HTTP to the provider simulator. One row per case; codes must not drift."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from leakstop.exit_codes import ExitCode
from leakstop.simulator import SimulatorControl
from tests.testing import PROJECT, Repo, RunCli, commit_file, init_repo, new_key


@dataclass
class Case:
    args: list[str]
    keys: list[str]
    stdin: str = ""
    cwd: Path | None = None


Setup = Callable[[Repo, SimulatorControl], Case]


def _commit(repo: Repo, text: str) -> None:
    commit_file(repo, "settings.env", text, "settings")


def clean(repo: Repo, control: SimulatorControl) -> Case:
    _commit(repo, "DEBUG=1\n")
    return Case(["scan"], [])


def staged_key(repo: Repo, control: SimulatorControl) -> Case:
    key = new_key("syncline-user-key")
    repo.stage("a.env", f"SYNCLINE_KEY={key}\n")
    return Case(["scan", "--staged"], [key])


def usage(repo: Repo, control: SimulatorControl) -> Case:
    return Case(["scan", "--staged", "--history"], [])


def every_key_rotated(repo: Repo, control: SimulatorControl) -> Case:
    eh = control.create_account("electronhub", "master").key
    sb = control.create_account("scrapebit", "live").key
    _commit(repo, f"EH_KEY={eh}\nSB_KEY={sb}\n")
    return Case(["scan", "--history", "--rotate", "--yes"], [eh, sb])


def rotated_or_already_dead(repo: Repo, control: SimulatorControl) -> Case:
    eh = control.create_account("electronhub", "master").key
    dead = control.create_account("syncline", "user").key
    control.revoke(dead)
    _commit(repo, f"EH_KEY={eh}\nSYNCLINE_KEY={dead}\n")
    return Case(["scan", "--history", "--rotate", "--yes"], [eh, dead])


def one_rotation_failed(repo: Repo, control: SimulatorControl) -> Case:
    eh = control.create_account("electronhub", "master").key
    sb = control.create_account("scrapebit", "live").key
    control.add_fault("500", key=sb, call="rotate")
    _commit(repo, f"EH_KEY={eh}\nSB_KEY={sb}\n")
    return Case(["scan", "--history", "--rotate", "--yes"], [eh, sb])


def answer_lost(repo: Repo, control: SimulatorControl) -> Case:
    eh = control.create_account("electronhub", "master").key
    control.add_fault("drop_after_rotate", key=eh, call="rotate")
    _commit(repo, f"EH_KEY={eh}\n")
    return Case(["scan", "--history", "--rotate", "--yes"], [eh])


def not_rotatable(repo: Repo, control: SimulatorControl) -> Case:
    proxy = control.create_account("electronhub", "proxy").key
    _commit(repo, f"EH_PROXY_KEY={proxy}\n")
    return Case(["scan", "--history", "--rotate", "--yes"], [proxy])


def dry_run(repo: Repo, control: SimulatorControl) -> Case:
    eh = control.create_account("electronhub", "master").key
    _commit(repo, f"EH_KEY={eh}\n")
    return Case(["scan", "--history", "--rotate", "--dry-run"], [eh])


def verify_only(repo: Repo, control: SimulatorControl) -> Case:
    dead = control.create_account("scrapebit", "live").key
    control.revoke(dead)
    _commit(repo, f"SB_KEY={dead}\n")
    return Case(["scan", "--history", "--verify"], [dead])


def rotate_command_ok(repo: Repo, control: SimulatorControl) -> Case:
    key = control.create_account("syncline", "user").key
    return Case(["rotate", "--provider", "syncline", "--yes"], [key], stdin=key)


def rotate_command_failed(repo: Repo, control: SimulatorControl) -> Case:
    key = control.create_account("syncline", "user").key
    control.add_fault("500", key=key, call="rotate")
    return Case(["rotate", "--provider", "syncline", "--yes"], [key], stdin=key)


def rotate_command_not_rotatable(repo: Repo, control: SimulatorControl) -> Case:
    key = control.create_account("electronhub", "proxy").key
    return Case(["rotate", "--provider", "electronhub", "--yes"], [key], stdin=key)


def rotate_command_dry_run(repo: Repo, control: SimulatorControl) -> Case:
    key = control.create_account("scrapebit", "live").key
    return Case(["rotate", "--provider", "scrapebit", "--dry-run"], [key], stdin=key)


def sweep_rotated(repo: Repo, control: SimulatorControl) -> Case:
    eh = control.create_account("electronhub", "master").key
    _commit(repo, f"EH_KEY={eh}\n")
    cache = str(repo.path.parent / "cache")
    args = ["sweep", str(repo.path), "--cache", cache, "--rotate", "--yes"]
    return Case([*args, "--call-interval", "0"], [eh])


def sweep_rotating_nothing(repo: Repo, control: SimulatorControl) -> Case:
    _commit(repo, "DEBUG=1\n")
    return Case(
        ["sweep", str(repo.path), "--cache", str(repo.path.parent / "c"), "--rotate", "--yes"],
        [],
    )


def sweep_rotated_but_a_repository_failed(repo: Repo, control: SimulatorControl) -> Case:
    case = sweep_rotated(repo, control)
    case.args.append(str(repo.path.parent / "missing"))
    return case


TABLE: list[tuple[Setup, ExitCode, str | None]] = [
    (clean, ExitCode.CLEAN, None),
    (staged_key, ExitCode.FINDINGS, None),
    (usage, ExitCode.USAGE, None),
    (every_key_rotated, ExitCode.HANDLED, "2 rotated, 0 already invalid, 0 failed, 0 skipped"),
    (rotated_or_already_dead, ExitCode.HANDLED, "1 rotated, 1 already invalid, 0 failed"),
    (one_rotation_failed, ExitCode.ROTATION_FAILED, "1 rotated, 0 already invalid, 1 failed"),
    (answer_lost, ExitCode.ROTATION_FAILED, "0 rotated, 0 already invalid, 1 failed"),
    (not_rotatable, ExitCode.FINDINGS, "0 failed, 1 skipped (1 not rotatable"),
    (dry_run, ExitCode.FINDINGS, "0 failed, 1 skipped (1 dry run"),
    (verify_only, ExitCode.FINDINGS, None),
    (rotate_command_ok, ExitCode.CLEAN, "1 rotated, 0 already invalid, 0 failed, 0 skipped"),
    (rotate_command_failed, ExitCode.ROTATION_FAILED, "0 rotated, 0 already invalid, 1 failed"),
    (rotate_command_not_rotatable, ExitCode.FINDINGS, "0 failed, 1 skipped (1 not rotatable"),
    (rotate_command_dry_run, ExitCode.CLEAN, "1 skipped (1 dry run"),
    (sweep_rotated, ExitCode.HANDLED, "1 rotated, 0 already invalid, 0 failed, 0 skipped"),
    (sweep_rotating_nothing, ExitCode.CLEAN, "0 rotated, 0 already invalid, 0 failed, 0 skipped"),
    (sweep_rotated_but_a_repository_failed, ExitCode.FINDINGS, "1 rotated"),
]


@pytest.mark.parametrize(("setup", "code", "summary"), TABLE, ids=[s.__name__ for s, *_ in TABLE])
def test_exit_code_table(
    tmp_path: Path,
    run_cli: RunCli,
    control: SimulatorControl,
    setup: Setup,
    code: ExitCode,
    summary: str | None,
) -> None:
    repo = init_repo(tmp_path / "repo")
    case = setup(repo, control)
    outcome = run_cli(case.args, case.cwd or repo.path, keys=case.keys, stdin=case.stdin)
    assert outcome.code == code, outcome.out + outcome.err
    lines = [line for line in (outcome.out + outcome.err).splitlines() if "rotation: " in line]
    if summary is None:
        assert not [line for line in lines if " rotated, " in line]
    else:
        assert any(summary in line for line in lines), lines


def test_the_second_run_skips_what_the_first_rotated_and_still_counts_it_handled(
    repo: Repo, run_cli: RunCli, control: SimulatorControl
) -> None:
    case = every_key_rotated(repo, control)
    args = [*case.args, "--format", "json"]
    first = run_cli(args, repo.path, keys=case.keys)
    assert first.code == ExitCode.HANDLED
    assert json.loads(first.out)["scan"]["rotation"] == {
        "rotated": 2,
        "already_invalid": 0,
        "failed": 0,
        "skipped": 0,
        "rate_limited": 0,
        "not_rotatable": 0,
        "dry_run": 0,
        "handled_earlier": 0,
        "keys": 2,
    }
    again = run_cli(args, repo.path, keys=case.keys)
    assert again.code == ExitCode.HANDLED, again.err
    totals = json.loads(again.out)["scan"]["rotation"]
    assert (totals["rotated"], totals["skipped"], totals["handled_earlier"]) == (0, 2, 2)
    assert "(2 handled by an earlier run)" in again.err


def test_rate_limited_is_a_failed_rotation(
    tmp_path: Path, run_cli: RunCli, control: SimulatorControl
) -> None:
    repo = init_repo(tmp_path / "r")
    fresh = control.create_account("scrapebit", "live").key
    control.add_fault("status", key=fresh, call="rotate", status=429, seconds=120)
    _commit(repo, f"SB_KEY={fresh}\n")
    outcome = run_cli(["scan", "--history", "--rotate", "--yes"], repo.path, keys=[fresh])
    assert outcome.code == ExitCode.ROTATION_FAILED, outcome.err
    assert "0 rotated, 0 already invalid, 1 failed, 0 skipped (1 rate limited)" in outcome.err


def test_internal_error_is_its_own_code(
    repo: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug cannot be provoked from outside; a fault injected in the report stands in for it.
    import leakstop.report

    def broken(*_args: object) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(leakstop.report, "render", broken)
    outcome = run_cli(["scan"], repo.path)
    assert outcome.code == ExitCode.INTERNAL
    assert outcome.err.startswith("leakstop: internal error (RuntimeError)")
    assert "Traceback" not in outcome.err


def test_the_documented_table_matches_the_codes() -> None:
    root = PROJECT
    design = (root / "docs" / "design.md").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in design, code
        assert f"`{int(code)}`" in readme
