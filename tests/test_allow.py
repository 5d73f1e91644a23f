"""`leakstop allow`: accepting a judged finding on real repositories, exactly that key and
nothing else, in a baseline stock detect-secrets reads the same way."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from leakstop.plugin.wiring import PLUGIN_FILE, configure_baseline
from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, assert_no_leak, new_key

BASELINE = ".secrets.baseline"


def results(repo: Repo) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((repo.path / BASELINE).read_text(encoding="utf-8"))
    return data["results"]


def found(run_cli: RunCli, repo: Repo, keys: list[str]) -> set[str]:
    """Hashes of the keys `leakstop scan` still reports."""
    outcome = run_cli(["scan", "--format", "json"], repo.path, keys=keys)
    return {f["hashed_secret"] for f in json.loads(outcome.out)["findings"]}


@pytest.fixture
def keys() -> list[str]:
    return [
        new_key("syncline-user-key"),
        new_key("scrapebit-api-key"),
        new_key("electronhub-api-key"),
    ]


def test_accepts_exactly_the_judged_key(repo: Repo, run_cli: RunCli, keys: list[str]) -> None:
    repo.stage("cfg.py", "".join(f'K{i} = "{k}"\n' for i, k in enumerate(keys)))
    repo.stage("other.py", f'K = "{keys[1]}"\n')  # the same key in another file
    before = time.time()
    outcome = run_cli(["allow", "cfg.py:2", "--reason", "test fixture"], repo.path, keys=keys)
    assert outcome.code == 0, outcome.err
    assert "accepted   sb_live_" in outcome.out and "cfg.py:2" in outcome.out
    text = (repo.path / BASELINE).read_text(encoding="utf-8")
    assert_no_leak([text], keys)

    entries = results(repo)["cfg.py"]
    assert {e["hashed_secret"] for e in entries} == {hashed_secret(keys[1])}
    ours = next(e for e in entries if e["type"] == "Scrapebit API Key")
    assert ours["filename"] == "cfg.py" and ours["line_number"] == 2
    assert ours["is_secret"] is False and ours["is_verified"] is False
    assert ours["accepted_by"] == "Test Dev <dev@example.invalid>"
    assert ours["accepted_reason"] == "test fixture"
    stamp = time.mktime(time.strptime(ours["accepted_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert before - 2 <= stamp <= time.time() + 2
    assert set(results(repo)) == {"cfg.py"}

    # Only that key, only in that file: the others still block.
    still = {hashed_secret(k) for k in (keys[0], keys[2], keys[1])}
    assert found(run_cli, repo, keys) == still  # keys[1] stays a finding in other.py
    outcome = run_cli(["scan", "cfg.py", "--format", "json"], repo.path, keys=keys)
    report = json.loads(outcome.out)
    assert {f["line"] for f in report["findings"]} == {1, 3}

    # A different key on the accepted line is a finding again.
    repo.write("cfg.py", f'K0 = "{keys[0]}"\nK1 = "{new_key("scrapebit-api-key")}"\n')
    outcome = run_cli(["scan", "cfg.py", "--format", "json"], repo.path)
    assert {f["line"] for f in json.loads(outcome.out)["findings"]} == {1, 2}


def test_moved_lines_cause_no_churn(repo: Repo, run_cli: RunCli, keys: list[str]) -> None:
    repo.stage("cfg.py", f'A = "{keys[0]}"\n')
    assert run_cli(["allow", "cfg.py:1", "-m", "sandbox key"], repo.path, keys=keys).code == 0
    before = (repo.path / BASELINE).read_bytes()
    repo.write("cfg.py", f'# moved\n\n\nA = "{keys[0]}"\n')
    assert found(run_cli, repo, keys) == set()
    again = run_cli(["allow", "cfg.py:4", "-m", "sandbox key"], repo.path, keys=keys)
    assert again.code == 0
    assert "is accepted already" in again.out
    assert (repo.path / BASELINE).read_bytes() == before


def test_new_baseline_is_what_init_writes(repo: Repo, run_cli: RunCli, keys: list[str]) -> None:
    repo.stage("cfg.py", f'A = "{keys[0]}"\n')
    outcome = run_cli(["allow", "cfg.py:1", "-m", "fixture"], repo.path, keys=keys)
    assert "(created)" in outcome.out
    data = json.loads((repo.path / BASELINE).read_text(encoding="utf-8"))
    fresh = configure_baseline(None)
    assert {k: data[k] for k in ("version", "plugins_used", "filters_used")} == {
        k: fresh[k] for k in ("version", "plugins_used", "filters_used")
    }
    assert (repo.path / PLUGIN_FILE).is_file()
    # init afterwards finds the baseline already right.
    init = run_cli(["init", "--no-pre-commit"], repo.path)
    assert f"unchanged  {BASELINE}" in init.out
    assert f"unchanged  {PLUGIN_FILE}" in init.out


def test_existing_entries_are_kept(repo: Repo, run_cli: RunCli, keys: list[str]) -> None:
    assert run_cli(["init", "--no-pre-commit"], repo.path).code == 0
    repo.stage("a.py", f'A = "{keys[0]}"\n')
    repo.stage("b.py", f'B = "{keys[1]}"\n')
    assert run_cli(["allow", "b.py:1", "-m", "one"], repo.path, keys=keys).code == 0
    assert run_cli(["allow", "a.py:1", "-m", "two"], repo.path, keys=keys).code == 0
    assert list(results(repo)) == ["a.py", "b.py"]  # detect-secrets' order
    listed = run_cli(["allow", "--list"], repo.path, keys=keys)
    assert listed.code == 0
    assert f"{hashed_secret(keys[0])}  a.py:1  Syncline User API Key" in listed.out
    assert "Test Dev <dev@example.invalid>" in listed.out and ": two)" in listed.out


def test_remove_by_hash_or_place(repo: Repo, run_cli: RunCli, keys: list[str]) -> None:
    repo.stage("cfg.py", "".join(f'K{i} = "{k}"\n' for i, k in enumerate(keys)))
    for line in (1, 2, 3):
        assert run_cli(["allow", f"cfg.py:{line}", "-m", "x"], repo.path, keys=keys).code == 0
    assert found(run_cli, repo, keys) == set()

    removed = run_cli(["allow", "--remove", hashed_secret(keys[0])[:10]], repo.path, keys=keys)
    assert removed.code == 0, removed.err
    assert "removed" in removed.out and "cfg.py:1" in removed.out
    assert found(run_cli, repo, keys) == {hashed_secret(keys[0])}

    # By place, after the line moved: the key found there now is withdrawn.
    repo.write("cfg.py", "\n" + "".join(f'K{i} = "{k}"\n' for i, k in enumerate(keys)))
    assert run_cli(["allow", "--remove", "cfg.py:3"], repo.path, keys=keys).code == 0
    assert found(run_cli, repo, keys) == {hashed_secret(keys[0]), hashed_secret(keys[1])}

    missing = run_cli(["allow", "--remove", "cfg.py:3"], repo.path, keys=keys)
    assert missing.code == 2
    assert "no accepted finding matches" in missing.err
    listed = run_cli(["allow", "--list"], repo.path, keys=keys)
    assert {line.split()[0] for line in listed.out.splitlines()} == {hashed_secret(keys[2])}


def test_two_keys_on_one_line_need_a_column(repo: Repo, run_cli: RunCli, keys: list[str]) -> None:
    line = f'PAIR = ("{keys[0]}", "{keys[1]}")\n'
    repo.stage("pair.py", line)
    outcome = run_cli(["allow", "pair.py:1", "-m", "x"], repo.path, keys=keys)
    assert outcome.code == 2
    assert "holds 2 keys" in outcome.err and "FILE:LINE:COLUMN" in outcome.err
    assert not (repo.path / BASELINE).exists()
    column = line.index(keys[1]) + 1
    assert run_cli(["allow", f"pair.py:1:{column}", "-m", "x"], repo.path, keys=keys).code == 0
    assert found(run_cli, repo, keys) == {hashed_secret(keys[0])}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["allow", "cfg.py:2", "-m", "x"], "no finding at cfg.py:2"),
        (["allow", "cfg.py", "-m", "x"], "expected FILE:LINE"),
        (["allow", "nope.py:1", "-m", "x"], "no such file: nope.py"),
        (["allow", ".git:1", "-m", "x"], "not a file: .git"),
        (["allow", "cfg.py:1"], "--reason is required"),
        (["allow", "cfg.py:1", "-m", "  "], "--reason is required"),
        (["allow"], "exactly one of"),
        (["allow", "cfg.py:1", "--list"], "exactly one of"),
        (["allow", "--list"], "no baseline at .secrets.baseline"),
        (["allow", "--remove", "abcdef12"], "no baseline at"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    repo: Repo, run_cli: RunCli, keys: list[str], args: list[str], message: str
) -> None:
    repo.stage("cfg.py", f'A = "{keys[0]}"\n')
    outcome = run_cli(args, repo.path, keys=keys)
    assert outcome.code == 2
    assert message in outcome.err
    assert "Traceback" not in outcome.err
    assert not (repo.path / BASELINE).exists()


def test_broken_baseline_is_refused(repo: Repo, run_cli: RunCli, keys: list[str]) -> None:
    repo.stage("cfg.py", f'A = "{keys[0]}"\n')
    repo.write(BASELINE, "{broken")
    outcome = run_cli(["allow", "cfg.py:1", "-m", "x"], repo.path, keys=keys)
    assert outcome.code == 2
    assert "is not valid JSON" in outcome.err
    assert (repo.path / BASELINE).read_text() == "{broken"


def test_stock_detect_secrets_hook_accepts_the_same_key(
    repo: Repo, run_cli: RunCli, keys: list[str]
) -> None:
    hook = shutil.which("detect-secrets-hook", path=str(Path(sys.executable).parent))
    assert hook
    assert run_cli(["init", "--no-pre-commit"], repo.path).code == 0
    repo.stage("cfg.py", f'A = "{keys[0]}"\nB = "{keys[1]}"\n')
    assert run_cli(["allow", "cfg.py:1", "-m", "fixture"], repo.path, keys=keys).code == 0

    def run_hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [hook, "--baseline", BASELINE, "cfg.py"],
            cwd=repo.path,
            capture_output=True,
            text=True,
        )

    ran = run_hook()
    assert ran.returncode != 0
    assert "Location:    cfg.py:2" in ran.stdout
    assert "cfg.py:1" not in ran.stdout
    assert run_cli(["allow", "cfg.py:2", "-m", "fixture"], repo.path, keys=keys).code == 0
    ran = run_hook()
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_when_detect_secrets_cannot_be_asked_it_says_so(
    repo: Repo, run_cli: RunCli, keys: list[str]
) -> None:
    repo.stage("cfg.py", f'A = "{keys[0]}"\n')
    broken = {"version": "1.5.0", "plugins_used": [{"name": "NoSuchDetector"}], "results": {}}
    repo.write(BASELINE, json.dumps(broken))
    outcome = run_cli(["allow", "cfg.py:1", "-m", "fixture"], repo.path, keys=keys)
    assert outcome.code == 0, outcome.err
    assert "detect-secrets' own plugins could not be asked" in outcome.out
    assert [e["type"] for e in results(repo)["cfg.py"]] == ["Syncline User API Key"]
    assert found(run_cli, repo, keys) == set()
