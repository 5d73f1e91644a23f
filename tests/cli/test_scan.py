"""`leakstop scan` end to end on real repositories: files, --staged, exit codes, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import PROJECT, Repo, RunCli, new_key


def test_staged_key_blocks_commit_with_redacted_report(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    repo.stage("app/settings.py", f'API_KEY = "{key}"\n')
    outcome = run_cli(["scan", "--staged"], repo.path, keys=[key])
    assert outcome.code == 1
    assert "app/settings.py:1:12" in outcome.out
    assert "ElectronHub API Key" in outcome.out
    assert key[:5] + "…" + key[-2:] in outcome.out
    assert "commit is blocked" in outcome.out


def test_staged_json_report_has_hash_and_no_key(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("config.json", '{\n  "scrapebit": "' + key + '"\n}\n')
    outcome = run_cli(["scan", "--staged", "--format", "json"], repo.path, keys=[key])
    assert outcome.code == 1
    report = json.loads(outcome.out)
    assert report["version"] == 1
    assert report["scan"]["mode"] == "staged"
    [finding] = report["findings"]
    assert finding["provider"] == "scrapebit"
    assert finding["rule"] == "scrapebit-api-key"
    assert (finding["file"], finding["line"], finding["column"]) == ("config.json", 2, 17)
    assert finding["hashed_secret"] == hashed_secret(key)
    assert finding["commit"] is None


def test_clean_staged_change_exits_zero(repo: Repo, run_cli: RunCli) -> None:
    repo.stage("README.md", "nothing to see\n")
    outcome = run_cli(["scan", "--staged"], repo.path)
    assert outcome.code == 0
    assert "no API keys" in outcome.out


def test_staged_outside_repository_is_a_one_line_error(tmp_path: Path, run_cli: RunCli) -> None:
    outcome = run_cli(["scan", "--staged"], tmp_path)
    assert outcome.code == 2
    assert outcome.err.count("\n") == 1
    assert "not inside" in outcome.err


def test_files_mode_scans_tracked_files_only(repo: Repo, run_cli: RunCli) -> None:
    tracked, untracked = new_key("syncline-user-key"), new_key("syncline-user-key")
    repo.stage("tracked.env", f"SYNCLINE_KEY={tracked}\n")
    repo.write("untracked.env", f"SYNCLINE_KEY={untracked}\n")
    outcome = run_cli(["scan", "--format", "json"], repo.path, keys=[tracked, untracked])
    assert outcome.code == 1
    hashes = {f["hashed_secret"] for f in json.loads(outcome.out)["findings"]}
    assert hashes == {hashed_secret(tracked)}


def test_paths_outside_git(tmp_path: Path, run_cli: RunCli) -> None:
    key = new_key("scrapebit-test-key")
    (tmp_path / "dir with space").mkdir()
    (tmp_path / "dir with space" / "é.txt").write_text(f"k={key}\n")
    outcome = run_cli(["scan", "--format", "json", "."], tmp_path, keys=[key])
    assert outcome.code == 1
    [finding] = json.loads(outcome.out)["findings"]
    assert finding["file"] == "dir with space/é.txt"


def test_missing_path_is_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    outcome = run_cli(["scan", "nope.txt"], tmp_path)
    assert outcome.code == 2
    assert "no such file" in outcome.err


def test_output_file_receives_report(repo: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    key = new_key("electronhub-dev-key")
    repo.stage("a.sh", f"export EH={key}\n")
    target = tmp_path / "report.json"
    outcome = run_cli(
        ["scan", "--staged", "--format", "json", "--output", str(target)], repo.path, keys=[key]
    )
    assert outcome.code == 1
    assert outcome.out == ""
    text = target.read_text()
    assert key not in text
    assert json.loads(text)["findings"][0]["rule"] == "electronhub-dev-key"


def test_this_repository_holds_no_key(run_cli: RunCli) -> None:
    """Tests build their keys at run time: leakstop's own files and history are clean."""
    project = PROJECT
    if not (project / ".git").exists():  # pragma: no cover - an sdist without history
        pytest.skip("not a git checkout")
    assert run_cli(["scan"], project).code == 0
    assert run_cli(["scan", "--history"], project).code == 0
