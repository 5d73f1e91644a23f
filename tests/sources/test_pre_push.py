"""`leakstop scan --pre-push`: which commits a push sends, on real repositories with a real
bare remote, from git's pre-push lines or from pre-commit's variables; and the `leakstop-push`
hook of .pre-commit-hooks.yaml in real `git push`es through pre-commit."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import (
    PROJECT,
    VENV_BIN,
    ZERO,
    Outcome,
    Repo,
    RunCli,
    assert_no_leak,
    commit_file,
    git_push,
    new_key,
    push_lines,
    remote_tip,
    with_origin,
)

# -- helpers -------------------------------------------------------------------------------


def findings(outcome: Any) -> set[tuple[str, str]]:
    """(commit, hashed secret) of each finding of a JSON report."""
    return {(f["commit"], f["hashed_secret"]) for f in json.loads(outcome.out)["findings"]}


def scanned_commits(outcome: Any) -> int:
    count: int = json.loads(outcome.out)["scan"]["commits"]
    return count


def _pre_push(run_cli: RunCli, repo: Repo, lines: str, keys: Any = (), *args: str) -> Outcome:
    argv = ["scan", "--pre-push", *(args or ("origin", "url")), "--format", "json"]
    return run_cli(argv, repo.path, keys=keys, stdin=lines)


# -- git's pre-push lines -------------------------------------------------------------------


def test_key_on_existing_branch_is_refused(pushed: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    commit_file(pushed, "a.txt", "clean\n")
    bad = commit_file(pushed, "app.py", f'KEY = "{key}"\n')
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "main"), [key])
    assert outcome.code == 1
    assert findings(outcome) == {(bad, hashed_secret(key))}
    assert scanned_commits(outcome) == 2
    assert json.loads(outcome.out)["scan"]["mode"] == "pre-push"
    text = run_cli(["scan", "--pre-push", "origin"], pushed.path, [key], push_lines(pushed, "main"))
    assert "The push is blocked." in text.out


def test_clean_push_is_allowed(pushed: Repo, run_cli: RunCli) -> None:
    commit_file(pushed, "a.txt", "still clean\n")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "main"))
    assert outcome.code == 0
    assert scanned_commits(outcome) == 1


def test_new_branch_scans_only_commits_no_remote_branch_has(pushed: Repo, run_cli: RunCli) -> None:
    old, new = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    commit_file(pushed, "old.env", f"SB={old}\n", "key pushed earlier without the hook")
    pushed.git("push", "-q", "origin", "main")
    pushed.git("checkout", "-q", "-b", "feature")
    commit_file(pushed, "b.txt", "clean\n")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "feature"), [old, new])
    assert (outcome.code, scanned_commits(outcome)) == (0, 1)

    bad = commit_file(pushed, "new.env", f"SB={new}\n")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "feature"), [old, new])
    assert outcome.code == 1
    assert findings(outcome) == {(bad, hashed_secret(new))}
    assert scanned_commits(outcome) == 2


def test_key_already_on_the_remote_is_not_blocked_again(pushed: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    commit_file(pushed, "k.js", f"const k = '{key}';\n")
    pushed.git("push", "-q", "origin", "main")  # went out with --no-verify, say
    commit_file(pushed, "k.js", "const k = process.env.K;\n", "take the key out")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "main"), [key])
    assert (outcome.code, scanned_commits(outcome)) == (0, 1)
    # A new branch made of commits the remote already has sends nothing new.
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "main~1:copy"), [key])
    assert (outcome.code, scanned_commits(outcome)) == (0, 0)


def test_deleted_ref_is_skipped(pushed: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    pushed.git("checkout", "-q", "-b", "old")
    commit_file(pushed, "k.txt", f"{key}\n")
    pushed.git("push", "-q", "origin", "old")
    pushed.git("checkout", "-q", "main")
    pushed.git("branch", "-qD", "old")
    pushed.git("update-ref", "-d", "refs/remotes/origin/old")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, ":old"), [key])
    assert (outcome.code, scanned_commits(outcome)) == (0, 0)


def test_force_push_scans_only_what_is_new(pushed: Repo, run_cli: RunCli) -> None:
    key, other = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    base = pushed.git("rev-parse", "HEAD").strip()
    commit_file(pushed, "k.txt", f"{key}\n", "key on the remote")
    pushed.git("push", "-q", "origin", "main")
    pushed.git("reset", "-q", "--hard", base)
    commit_file(pushed, "a.txt", "rewritten\n")
    commit_file(pushed, "b.txt", "rewritten too\n")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "+main"), [key, other])
    assert (outcome.code, scanned_commits(outcome)) == (0, 2)

    bad = commit_file(pushed, "c.txt", f"{other}\n")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "+main"), [key, other])
    assert outcome.code == 1
    assert findings(outcome) == {(bad, hashed_secret(other))}


def test_every_pushed_ref_is_scanned(pushed: Repo, run_cli: RunCli) -> None:
    key = new_key("ecgrid-api-key")
    commit_file(pushed, "a.txt", "clean\n")
    pushed.git("checkout", "-q", "-b", "second")
    bad = commit_file(pushed, "appsettings.json", '{"ECGrid": {"ApiKey": "' + key + '"}}\n')
    pushed.git("checkout", "-q", "main")
    pushed.git("tag", "-a", "-m", "release", "v1", "second")
    lines = push_lines(pushed, ":nothing", "main", "second", "refs/tags/v1")
    outcome = _pre_push(run_cli, pushed, lines, [key])
    assert outcome.code == 1
    assert findings(outcome) == {(bad, hashed_secret(key))}
    assert scanned_commits(outcome) == 2  # each commit once, though two refs send `bad`


def test_root_commit_push_to_an_empty_remote(repo: Repo, tmp_path: Path, run_cli: RunCli) -> None:
    with_origin(repo, tmp_path)
    key = new_key("syncline-user-key")
    root = commit_file(repo, "setup.cfg", f"token = {key}\n", "root")
    outcome = _pre_push(run_cli, repo, push_lines(repo, "main"), [key])
    assert outcome.code == 1
    assert findings(outcome) == {(root, hashed_secret(key))}


def test_remote_given_as_url_scans_what_its_sha_does_not_reach(
    pushed: Repo, tmp_path: Path, run_cli: RunCli
) -> None:
    url = pushed.git("remote", "get-url", "origin").strip()
    commit_file(pushed, "a.txt", "clean\n")
    pushed.git("checkout", "-q", "-b", "side")
    commit_file(pushed, "b.txt", "clean\n")
    lines = push_lines(pushed, "main", "side")
    outcome = _pre_push(run_cli, pushed, lines, (), url, url)
    # No remote-tracking refs to lean on: `side` is new, so all it reaches but main's old tip.
    assert (outcome.code, scanned_commits(outcome)) == (0, 2)
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "side"), (), url, url)
    assert scanned_commits(outcome) == 3  # a brand-new ref: its whole history


def test_missing_remote_sha_falls_back_with_a_note(pushed: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    bad = commit_file(pushed, "k.txt", f"{key}\n")
    lines = f"refs/heads/main {bad} refs/heads/main {'ab' * 20}\n"
    outcome = _pre_push(run_cli, pushed, lines, [key])
    assert outcome.code == 1
    assert findings(outcome) == {(bad, hashed_secret(key))}
    assert "abababababab on the remote, which this repository does not have" in outcome.err
    assert "no 'origin' remote-tracking ref has" in outcome.err


def test_shallow_clone_scans_what_it_has_and_says_so(
    pushed: Repo, tmp_path: Path, run_cli: RunCli
) -> None:
    for n in range(3):
        commit_file(pushed, f"f{n}.txt", f"{n}\n")
    pushed.git("push", "-q", "origin", "main")
    bare = pushed.git("remote", "get-url", "origin").strip()
    clone = Repo(tmp_path / "shallow")
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{bare}", str(clone.path)], check=True
    )
    for name, value in (("user.email", "dev@example.invalid"), ("user.name", "Test Dev")):
        clone.git("config", name, value)
    # Someone else pushed meanwhile: the remote's tip is a commit the clone never saw.
    upstream = pushed.git("rev-parse", "HEAD~1").strip()
    key = new_key("scrapebit-test-key")
    bad = commit_file(clone, "t.env", f"SB_TEST={key}\n")
    clone.git("update-ref", "-d", "refs/remotes/origin/main")
    lines = f"refs/heads/main {bad} refs/heads/main {upstream}\n"
    outcome = _pre_push(run_cli, clone, lines, [key])
    assert outcome.code == 1
    assert (bad, hashed_secret(key)) in findings(outcome)
    assert "which this shallow clone does not have" in outcome.err
    assert "shallow clone: the parents of" in outcome.err
    assert "git fetch --deepen" in outcome.err


def test_empty_input_means_nothing_to_push(pushed: Repo, run_cli: RunCli) -> None:
    outcome = _pre_push(run_cli, pushed, "")
    assert (outcome.code, scanned_commits(outcome)) == (0, 0)
    outcome = run_cli(["scan", "--pre-push", "--format", "json"], pushed.path, stdin="\n")
    assert (outcome.code, scanned_commits(outcome)) == (0, 0)


# -- pre-commit's variables -----------------------------------------------------------------


def test_pre_commit_range_variables(
    pushed: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key("electronhub-dev-key")
    start = pushed.git("rev-parse", "HEAD").strip()
    bad = commit_file(pushed, "dev.txt", f"{key}\n")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", start)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", bad)
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    argv = ["scan", "--pre-push", "--format", "json"]
    outcome = run_cli(argv, pushed.path, keys=[key], stdin="ignored: not git's lines")
    assert outcome.code == 1
    assert findings(outcome) == {(bad, hashed_secret(key))}

    monkeypatch.setenv("PRE_COMMIT_FROM_REF", bad)
    outcome = run_cli(argv, pushed.path, keys=[key])
    assert (outcome.code, scanned_commits(outcome)) == (0, 0)

    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "no-such-ref")
    outcome = run_cli(argv, pushed.path, keys=[key])
    assert outcome.code == 1
    assert "is at no-such-ref on the remote, which this repository does not have" in outcome.err

    monkeypatch.setenv("PRE_COMMIT_TO_REF", "no-such-ref")
    outcome = run_cli(argv, pushed.path, keys=[key])
    assert outcome.code == 2
    assert "is not in this repository" in outcome.err

    monkeypatch.delenv("PRE_COMMIT_FROM_REF")
    outcome = run_cli(argv, pushed.path)
    assert outcome.code == 2
    assert "go together" in outcome.err


def test_pre_commit_root_push_names_only_the_local_branch(
    repo: Repo, tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_origin(repo, tmp_path)
    key = new_key("electronhub-api-key")
    commit_file(repo, "a.txt", "clean root\n")
    bad = commit_file(repo, "k.txt", f"{key}\n")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    outcome = run_cli(["scan", "--pre-push", "--format", "json"], repo.path, keys=[key])
    assert outcome.code == 1
    assert findings(outcome) == {(bad, hashed_secret(key))}
    assert scanned_commits(outcome) == 2


def test_pre_commit_without_a_range_is_an_error(
    pushed: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT", "1")
    outcome = run_cli(["scan", "--pre-push"], pushed.path)
    assert outcome.code == 2
    assert "pre-commit gave no push range" in outcome.err


# -- what cannot be scanned is an error, never a pass ---------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bad_input_is_a_one_line_error(pushed: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    head = pushed.git("rev-parse", "HEAD").strip()
    cases = {
        "not four fields\n": "line 1 of the input",
        f"refs/heads/main {head} refs/heads/main nothex\n": "line 1 of the input",
        f"\nrefs/heads/main {'cd' * 20} refs/heads/main {ZERO}\n": "is not in this repository",
    }
    for lines, message in cases.items():
        outcome = _pre_push(run_cli, pushed, lines)
        assert outcome.code == 2
        assert message in outcome.err
        assert outcome.err.count("\n") == 1
    assert run_cli(["scan", "--pre-push", "a", "b", "c"], pushed.path).code == 2
    assert run_cli(["scan", "--pre-push", "--staged"], pushed.path).code == 2
    outside = run_cli(["scan", "--pre-push"], tmp_path)
    assert outside.code == 2
    assert "is not inside a git repository" in outside.err


def test_terminal_stdin_is_refused(pushed: Repo) -> None:
    from leakstop.errors import LeakstopError
    from leakstop.scan import ScanRequest, run

    for mode in ("pre-push", "pre-receive"):
        request = ScanRequest(cwd=pushed.path, mode=mode, stdin=_Terminal(), environ={})
        with pytest.raises(LeakstopError, match=f"run it from a {mode} hook"):
            run(request)


def test_pushed_object_that_is_not_a_commit(pushed: Repo, run_cli: RunCli) -> None:
    blob = pushed.git("hash-object", "-w", "--stdin", input=b"just a blob\n").strip()
    lines = f"{blob} {blob} refs/tags/blob {ZERO}\n"
    outcome = _pre_push(run_cli, pushed, lines)
    assert outcome.code == 2
    assert f"{blob} is a blob, not a commit" in outcome.err


def test_commits_that_git_does_not_show_are_an_error(
    pushed: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leakstop.sources.revisions as revisions

    monkeypatch.setattr(revisions, "scan_revisions", lambda *a, **k: revisions.RevisionScan())
    commit_file(pushed, "a.txt", "clean\n")
    outcome = _pre_push(run_cli, pushed, push_lines(pushed, "main"))
    assert outcome.code == 2
    assert "git showed none of the 1 pushed commit(s)" in outcome.err


def test_parsers_ignore_blank_lines() -> None:
    from leakstop.sources.push import RefUpdate, parse_pre_push, parse_pre_receive

    sha = "1" * 40
    assert parse_pre_push(["", f"refs/heads/a {sha} refs/heads/b {ZERO}"]) == [
        RefUpdate(ref="refs/heads/b", new=sha, old=ZERO)
    ]
    update = parse_pre_receive([f"{ZERO} {sha} refs/heads/c", "  "])[0]
    assert update.creates and not update.deletes
    long = "2" * 64  # SHA-256 repositories
    assert parse_pre_receive([f"{long} {'0' * 64} refs/heads/c"])[0].deletes


# -- the leakstop-push hook through the real pre-commit -------------------------------------

_COPIED = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "leakstop")


@pytest.fixture(scope="module")
def pre_commit_hooks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A scratch hook repository holding the project's files, and one pre-commit home whose
    leakstop environment every test of this module shares (built once: it takes seconds)."""
    pre_commit = shutil.which("pre-commit", path=VENV_BIN)
    assert pre_commit, "pre-commit is a dev dependency and must be installed"
    base = tmp_path_factory.mktemp("pre-commit")
    env = {
        **os.environ,
        "HOME": str(base),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(base / "home"),
    }
    hooks = base / "hook-repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(hooks)], check=True, env=env)
    for name in _COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, hooks / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, hooks / name)
    ident = ["-c", "user.email=dev@example.invalid", "-c", "user.name=Test Dev"]
    subprocess.run(["git", "add", "-A"], cwd=hooks, check=True, env=env)
    subprocess.run(["git", *ident, "commit", "-qm", "hooks"], cwd=hooks, check=True, env=env)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hooks, check=True, capture_output=True, text=True
    ).stdout.strip()
    config = f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: leakstop-push\n"
    scratch = base / "warm"
    subprocess.run(["git", "init", "-q", str(scratch)], check=True, env=env)
    (scratch / ".pre-commit-config.yaml").write_text(config)
    subprocess.run(
        [pre_commit, "install-hooks"], cwd=scratch, check=True, capture_output=True, env=env
    )
    yield {"pre-commit": pre_commit, "config": config, "home": env["PRE_COMMIT_HOME"]}


def install_pre_commit(repo: Repo, hooks: dict[str, str]) -> None:
    repo.write(".pre-commit-config.yaml", hooks["config"])
    subprocess.run(
        [hooks["pre-commit"], "install", "--hook-type", "pre-push"],
        cwd=repo.path,
        check=True,
        capture_output=True,
    )


def test_push_through_pre_commit(
    repo: Repo, tmp_path: Path, pre_commit_hooks: dict[str, str]
) -> None:
    env = {"PRE_COMMIT_HOME": pre_commit_hooks["home"]}
    with_origin(repo, tmp_path)
    install_pre_commit(repo, pre_commit_hooks)
    keys = [new_key("electronhub-api-key") for _ in range(5)]

    # A root commit: pre-commit hands over no range, only the branch.
    repo.stage(".pre-commit-config.yaml", pre_commit_hooks["config"])
    commit_file(repo, "k.txt", f"{keys[0]}\n", "root with a key")
    refused = git_push(repo, "origin", "main", env=env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert_no_leak([refused.stdout, refused.stderr], keys)
    assert "The push is blocked." in refused.stdout + refused.stderr
    assert remote_tip(repo, "refs/heads/main") == ""

    # It went out anyway (--no-verify); taking it out later is not blocked by it again.
    assert git_push(repo, "--no-verify", "origin", "main").returncode == 0
    clean = commit_file(repo, "k.txt", "read from the environment\n", "take it out")
    allowed = git_push(repo, "origin", "main", env=env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_tip(repo, "refs/heads/main") == clean

    commit_file(repo, "b.txt", f"{keys[1]}\n")
    refused = git_push(repo, "origin", "main", env=env)
    assert refused.returncode != 0
    assert remote_tip(repo, "refs/heads/main") == clean
    repo.git("reset", "-q", "--hard", "HEAD~1")

    # A new branch: only the commits no remote branch has.
    repo.git("checkout", "-q", "-b", "feature")
    commit_file(repo, "c.txt", f"{keys[2]}\n")
    refused = git_push(repo, "-u", "origin", "feature", env=env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert_no_leak([refused.stdout, refused.stderr], keys)
    assert remote_tip(repo, "refs/heads/feature") == ""
    repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_file(repo, "c.txt", "clean\n")
    allowed = git_push(repo, "-u", "origin", "feature", env=env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr

    # Force push: the rewritten commits are scanned, the dropped ones are not.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_file(repo, "d.txt", f"{keys[3]}\n")
    refused = git_push(repo, "--force", "origin", "feature", env=env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    repo.git("reset", "-q", "--hard", "HEAD~1")
    rewritten = commit_file(repo, "d.txt", "clean too\n")
    allowed = git_push(repo, "--force", "origin", "feature", env=env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_tip(repo, "refs/heads/feature") == rewritten

    deleted = git_push(repo, "origin", "--delete", "feature", env=env)
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert remote_tip(repo, "refs/heads/feature") == ""


def test_scan_request_api_reports_notes_to_a_callback(pushed: Repo) -> None:
    from leakstop.scan import ScanRequest, run

    head = commit_file(pushed, "a.txt", "clean\n")
    lines = f"refs/heads/main {head} refs/heads/main {'ef' * 20}\n"
    notes: list[str] = []
    for note in (notes.append, None):
        request = ScanRequest(
            cwd=pushed.path,
            mode="pre-push",
            remote="origin",
            stdin=io.StringIO(lines),
            environ={"PRE_COMMIT_TO_REF": "ignored: git's lines win"},
            note=note,
        )
        result = run(request)
        assert (result.stats.mode, result.stats.commits, result.findings) == ("pre-push", 1, [])
    assert len(notes) == 1
    assert "efefefefefef on the remote" in notes[0]


def test_option_like_revisions_are_never_passed_to_git(
    pushed: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "--all")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "--output=/tmp/x")
    outcome = run_cli(["scan", "--pre-push"], pushed.path)
    assert outcome.code == 2
    assert "--output=/tmp/x is not in this repository" in outcome.err


def test_git_failures_are_one_line_errors(pushed: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    from leakstop.errors import LeakstopError
    from leakstop.sources import push

    with pytest.raises(LeakstopError, match="git rev-list failed: "):
        push._git_with_input(["rev-list", "--no-such-option"], pushed.path, "")

    monkeypatch.setenv("PATH", str(pushed.path / "no-git-here"))
    with pytest.raises(LeakstopError, match="git is not installed"):
        push._git_with_input(["rev-list"], pushed.path, "")
