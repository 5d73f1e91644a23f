"""The "What to do" block fits where the user is, and its commands work when followed: real
repositories, real remotes, the printed git commands run as printed."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from leakstop.simulator import SimulatorControl
from tests.testing import (
    Outcome,
    Repo,
    RunCli,
    commit_file,
    init_repo,
    new_key,
    push_lines,
    with_origin,
)


def _advice(out: str) -> str:
    assert "What to do (" in out, out
    return out.split("What to do (", 1)[1]


def _pre_push(run_cli: RunCli, repo: Repo, keys: list[str]) -> Outcome:
    lines = push_lines(repo, "main")
    return run_cli(["scan", "--pre-push", "origin", "url"], repo.path, keys=keys, stdin=lines)


def _shell(repo: Repo, command: str, **env: str) -> None:
    subprocess.run(command, shell=True, cwd=repo.path, check=True, env={**os.environ, **env})


def test_staged_says_unstage_and_environment(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    commit_file(repo, "README.md", "hi\n", "root")
    repo.stage("config/.env", f"SYNCLINE_KEY={key}\n")
    outcome = run_cli(["scan", "--staged"], repo.path, keys=[key])
    advice = _advice(outcome.out)
    assert advice.startswith("the commit is blocked")
    assert "git restore --staged -- config/.env" in advice
    assert "SYNCLINE_API_KEY" in advice and "environment" in advice
    assert "add it to .gitignore" in advice
    assert "rebase" not in advice and "Rotate every key now" not in advice
    # Followed as printed, the key is no longer staged.
    command = next(line for line in advice.splitlines() if "git restore" in line)
    _shell(repo, command.split("Unstage: ", 1)[1])
    assert run_cli(["scan", "--staged"], repo.path).code == 0


def test_pre_push_last_commit_is_amended(pushed: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    sha = commit_file(pushed, "app/settings.py", f'KEY = "{key}"\n', "settings")
    outcome = _pre_push(run_cli, pushed, [key])
    assert outcome.code == 1
    advice = _advice(outcome.out)
    assert advice.startswith("the push is blocked; these commits have not left this machine")
    assert f"The key is in your last commit, {sha[:12]}" in advice
    amend = "git add -- app/settings.py && git commit --amend --no-edit"
    assert amend in advice and "rebase" not in advice
    pushed.write("app/settings.py", 'import os\nKEY = os.environ["ELECTRONHUB_API_KEY"]\n')
    _shell(pushed, amend)
    assert _pre_push(run_cli, pushed, [key]).code == 0


def test_pre_push_names_the_commits_and_the_rebase_works(pushed: Repo, run_cli: RunCli) -> None:
    first, second = new_key("scrapebit-api-key"), new_key("electronhub-api-key")
    one = commit_file(pushed, "a.py", f'A = "{first}"\n', "a")
    commit_file(pushed, "notes.txt", "clean\n", "clean")
    two = commit_file(pushed, "b.py", f'B = "{second}"\n', "b")
    commit_file(pushed, "more.txt", "clean\n", "clean again")
    outcome = _pre_push(run_cli, pushed, [first, second])
    advice = _advice(outcome.out)
    assert f"git rebase -i {one[:12]}^" in advice
    assert f"change `pick` to `edit` for {one[:12]}, {two[:12]}" in advice
    assert f"{one[:12]}: a.py" in advice and f"{two[:12]}: b.py" in advice

    # Follow it: mark exactly the named commits `edit`, fix each stop, continue.
    base = re.search(r"git rebase -i (\S+)", advice)
    assert base
    marks = [one[:12], two[:12]]
    editor = "sed -i " + " ".join(f"-e 's/^pick {m[:7]}[0-9a-f]*/edit {m}/'" for m in marks)
    _shell(pushed, f"git rebase -i {base.group(1)}", GIT_SEQUENCE_EDITOR=editor)
    for name in ("a.py", "b.py"):
        pushed.write(name, "import os\n")
        _shell(pushed, f"git add -- {name} && git commit -q --amend --no-edit")
        subprocess.run(
            ["git", "rebase", "--continue"],
            cwd=pushed.path,
            check=True,
            env={**os.environ, "GIT_EDITOR": "true"},
            capture_output=True,
        )
    assert _pre_push(run_cli, pushed, [first, second]).code == 0


def test_pre_push_of_a_root_commit_rebases_from_the_root(
    repo: Repo, tmp_path: Path, run_cli: RunCli
) -> None:
    with_origin(repo, tmp_path)
    key = new_key("syncline-user-key")
    commit_file(repo, "k.env", f"SYNCLINE_KEY={key}\n", "first")
    commit_file(repo, "x.txt", "x\n", "second")
    advice = _advice(_pre_push(run_cli, repo, [key]).out)
    assert "git rebase -i --root" in advice


def test_pre_receive_says_the_server_ignores_pushed_baselines(
    repo: Repo, tmp_path: Path, run_cli: RunCli
) -> None:
    bare = with_origin(repo, tmp_path)
    commit_file(repo, "README.md", "hello\n", "root")
    repo.git("push", "-q", "origin", "main")
    old = repo.git("rev-parse", "HEAD").strip()
    key = new_key("electronhub-api-key")
    sha = commit_file(repo, "app.py", f'K = "{key}"\n', "key")
    # The pushed objects are on the server, no ref reaches them yet: as in pre-receive.
    repo.git("push", "-q", str(bare), f"{sha}:refs/heads/incoming")
    subprocess.run(["git", "update-ref", "-d", "refs/heads/incoming"], cwd=bare, check=True)
    lines = f"{old} {sha} refs/heads/main\n"
    outcome = run_cli(["scan", "--pre-receive"], bare, keys=[key], stdin=lines)
    assert outcome.code == 1
    advice = _advice(outcome.out)
    assert advice.startswith("the server refused the push")
    assert ".secrets.baseline" in advice and "ignored here" in advice
    assert f"{sha[:12]}: app.py" in advice or f"last commit, {sha[:12]}" in advice
    assert f"git rebase -i {sha[:12]}^" in advice


@pytest.mark.parametrize("variable", ["CI", "GITHUB_ACTIONS", "GITLAB_CI"])
def test_ci_says_rotate_now(
    repo: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    key = new_key("scrapebit-api-key")
    base = commit_file(repo, "README.md", "hi\n", "root")
    commit_file(repo, "k.env", f"SB_KEY={key}\n", "key")
    monkeypatch.setenv(variable, "true")
    outcome = run_cli(["scan", "--range", f"{base}..HEAD"], repo.path, keys=[key])
    advice = _advice(outcome.out)
    assert "already pushed, treat every key as leaked" in advice.splitlines()[0]
    assert "Rotate every key now" in advice
    assert "leakstop rotate --provider scrapebit" in advice
    assert "rebase" not in advice


def test_files_and_history_modes(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    commit_file(repo, "k.env", f"EH={key}\n", "key")
    files = _advice(run_cli(["scan"], repo.path, keys=[key]).out)
    assert files.startswith("keys in the scanned files")
    assert "rotate it" in files
    history = _advice(run_cli(["scan", "--history"], repo.path, keys=[key]).out)
    assert history.startswith("keys in the repository's history")
    assert "leakstop scan --history --rotate" in history


def test_after_rotation_says_where_the_key_went_and_what_remains(
    repo: Repo, run_cli: RunCli, control: SimulatorControl, tmp_path: Path
) -> None:
    live = control.create_account("electronhub", "master").key
    failing = control.create_account("syncline", "user").key
    control.add_fault("500", key=failing, call="rotate")
    commit_file(repo, "settings.env", f"EH={live}\nSYNCLINE_KEY={failing}\n", "keys")
    target = tmp_path / "new-keys"
    outcome = run_cli(
        ["scan", "--history", "--rotate", "--yes", "--deliver", f"file:{target}"],
        repo.path,
        keys=[live, failing],
    )
    assert outcome.code == 5
    advice = _advice(outcome.out)
    assert "After rotation:" in advice
    assert f"new key saved to {target}" in advice
    assert "remove the old key from the code" in advice
    assert "NOT rotated, it may still work" in advice
    assert "Update every deployment" in advice
    assert "rotate each one" not in advice  # rotation is done: no advice to do it again
    assert outcome.err.rstrip().splitlines()[-1].startswith("leakstop: rotation: 1 rotated")


def test_no_commit_message_is_ever_shown(repo: Repo, run_cli: RunCli) -> None:
    """A commit message may hold the key itself: advice names commits by id only."""
    key = new_key("syncline-user-key")
    base = commit_file(repo, "README.md", "hi\n", "root")
    commit_file(repo, "k.env", f"SYNCLINE_KEY={key}\n", f"add {key}")
    outcome = run_cli(["scan", "--range", f"{base}..HEAD"], repo.path, keys=[key])
    assert outcome.code == 1


def test_advice_commands_quote_odd_file_names(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    commit_file(repo, "README.md", "hi\n", "root")
    repo.stage("my config.env", f"SYNCLINE_KEY={key}\n")
    advice = _advice(run_cli(["scan", "--staged"], repo.path, keys=[key]).out)
    assert f"git restore --staged -- {shlex.quote('my config.env')}" in advice


def test_sweep_text_is_untouched_by_advice(tmp_path: Path, run_cli: RunCli) -> None:
    swept = init_repo(tmp_path / "r")
    key = new_key("scrapebit-api-key")
    commit_file(swept, "a.env", f"SB_KEY={key}\n")
    outcome = run_cli(["sweep", "r", "--cache", str(tmp_path / "c")], tmp_path, keys=[key])
    assert outcome.code == 1 and "What to do" not in outcome.out


def test_staged_after_rotation_drops_what_no_longer_applies(
    repo: Repo, run_cli: RunCli, control: SimulatorControl
) -> None:
    key = control.create_account("scrapebit", "live").key
    commit_file(repo, "README.md", "hi\n", "root")
    repo.stage("app.env", f"SB_KEY={key}\n")
    outcome = run_cli(["scan", "--staged", "--rotate", "--yes"], repo.path, keys=[key])
    assert outcome.code == 4
    advice = _advice(outcome.out)
    assert "After rotation:" in advice and "new key saved to" in advice
    assert "Take the old key out of app.env and read the new one" in advice
    assert "no rotation is needed" not in advice
    assert "Not a real key?" not in advice
    assert "git restore --staged -- app.env" in advice


def test_control_characters_in_file_names_are_escaped_and_the_command_still_works(
    repo: Repo, run_cli: RunCli
) -> None:
    key = new_key("electronhub-api-key")
    commit_file(repo, "README.md", "hi\n", "root")
    name = "odd\x1b[31mname\nit's.env"
    repo.stage(name, f"EH={key}\n")
    advice = _advice(run_cli(["scan", "--staged"], repo.path, keys=[key]).out)
    assert "\x1b" not in advice and "name\nit" not in advice
    command = next(line for line in advice.splitlines() if "git restore" in line)
    subprocess.run(["bash", "-c", command.split("Unstage: ", 1)[1]], cwd=repo.path, check=True)
    assert run_cli(["scan", "--staged"], repo.path).code == 0
