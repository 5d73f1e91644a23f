"""The sweep's reports tell an incremental re-run as it is: commits scanned now and in all,
repositories that could not be swept are not counted as swept, and keys that leakstop
itself rotated in an earlier run say so in the Rotation column."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

from leakstop.simulator import SimulatorControl
from tests.testing import Outcome, Repo, RunCli, commit_file, init_repo, new_key, run_sweep


def _commit(repo: Repo, name: str, text: str) -> None:
    commit_file(repo, name, text, f"add {name}")


def _sweep(run_cli: RunCli, cwd: Path, *args: str, keys: Any = ()) -> Outcome:
    return run_sweep(run_cli, cwd, cwd / "cache", *args, "--call-interval", "0", keys=keys)


def _header(html: str) -> str:
    match = re.search(r"<header><h1>.*?</h1><p>(.*?)</p></header>", html, re.S)
    assert match, html[:500]
    return unescape(match.group(1))


def _cards(html: str) -> dict[str, tuple[str, str]]:
    """card label -> (number, sub line)."""
    found = re.findall(
        r'<div class="card[^"]*"><div class="n">(\d+)</div><div class="l">(.*?)</div>'
        r'<div class="s">(.*?)</div>',
        html,
    )
    return {unescape(re.sub("<[^>]+>", "", label)): (n, unescape(sub)) for n, label, sub in found}


def test_rerun_header_counts_this_run_and_all_runs(tmp_path: Path, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo = init_repo(tmp_path / "r")
    _commit(repo, "a.env", f"SB_KEY={key}\n")
    _commit(repo, "b.txt", "hello\n")
    first = _sweep(run_cli, tmp_path, "r", "--format", "html", keys=[key])
    assert "2 commits scanned by this run, 2 in all" in _header(first.out)
    _commit(repo, "c.txt", "more\n")
    second = _sweep(run_cli, tmp_path, "r", "--format", "html", keys=[key])
    assert "1 commit scanned by this run, 3 in all" in _header(second.out)
    third = _sweep(run_cli, tmp_path, "r", "--format", "html", keys=[key])
    header = _header(third.out)
    assert "0 commits scanned by this run, 3 in all" in header
    assert "1 API key finding" in third.out  # the earlier runs' finding is still reported


def test_failed_repository_is_not_counted_as_swept(tmp_path: Path, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    for name in ("one", "two"):
        _commit(init_repo(tmp_path / name), "k.env", f"SYNCLINE_KEY={key}\n")
    outcome = _sweep(run_cli, tmp_path, "one", "two", "missing", "--format", "html", keys=[key])
    assert outcome.code == 1
    cards = _cards(outcome.out)
    assert cards["repositories with keys"] == ("2", "of 2 swept")
    assert cards["not swept"][0] == "1"
    assert "1 could not be swept" in _header(outcome.out)


def test_scan_header_counts_files_or_commits(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    _commit(repo, "k.env", f"EH={key}\n")
    files = run_cli(["scan", "--format", "html"], repo.path, keys=[key])
    assert "1 file scanned" in _header(files.out)
    history = run_cli(["scan", "--history", "--format", "html"], repo.path, keys=[key])
    assert "1 commit scanned" in _header(history.out)


def _rotation_cells(html: str) -> list[str]:
    """The Rotation column's badges (its last cell) of every findings row."""
    rows = re.findall(r'<tr class="finding".*?</tr>', html, re.S)
    return [re.sub("<[^>]+>", "", row.rsplit("<td", 1)[1].split(">", 1)[1]) for row in rows]


def test_keys_leakstop_rotated_before_show_it_in_later_reports(
    tmp_path: Path, run_cli: RunCli, control: SimulatorControl
) -> None:
    eh = control.create_account("electronhub", "master").key
    other = new_key("scrapebit-api-key")  # no account: dead, never rotated by leakstop
    repo = init_repo(tmp_path / "r")
    _commit(repo, "k.env", f"EH_KEY={eh}\nSB_KEY={other}\n")
    first = _sweep(run_cli, tmp_path, "r", "--rotate", "--yes", "--format", "json", keys=[eh])
    [rotated] = [f for f in json.loads(first.out)["findings"] if f["provider"] == "electronhub"]
    assert rotated["rotation"]["status"] == "rotated"
    assert first.code == 4  # one key rotated, the other already dead

    plain = _sweep(run_cli, tmp_path, "r", "--format", "json", keys=[eh])
    by_provider = {f["provider"]: f for f in json.loads(plain.out)["findings"]}
    assert by_provider["electronhub"]["rotation"]["status"] == "rotated"
    assert "rotated by leakstop on" in by_provider["electronhub"]["rotation"]["detail"]
    assert "rotation" not in by_provider["scrapebit"]

    page = _sweep(run_cli, tmp_path, "r", "--verify", "--format", "html", keys=[eh]).out
    cells = dict(zip(["electronhub", "scrapebit"], _rotation_cells(page), strict=True))
    assert cells == {"electronhub": "rotated", "scrapebit": ""}
    text = _sweep(run_cli, tmp_path, "r", "--verify", keys=[eh]).out
    assert "rotation: rotated: rotated by leakstop on" in text


def test_every_key_rotated_before_makes_a_later_sweep_exit_4(
    tmp_path: Path, run_cli: RunCli, control: SimulatorControl
) -> None:
    eh = control.create_account("electronhub", "master").key
    repo = init_repo(tmp_path / "r")
    _commit(repo, "k.env", f"EH_KEY={eh}\n")
    assert _sweep(run_cli, tmp_path, "r", "--rotate", "--yes", keys=[eh]).code == 4
    later = _sweep(run_cli, tmp_path, "r", keys=[eh])
    assert later.code == 4, later.err
    assert "1 rotated, 0 already invalid, 0 failed, 0 skipped" in later.err
