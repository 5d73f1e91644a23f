"""Server side: hooks/pre-receive installed in a real bare repository, and
`leakstop scan --pre-receive` run in one (no work tree)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import (
    ZERO,
    Repo,
    RunCli,
    assert_no_leak,
    commit_file,
    git_push,
    guard_with_pre_receive,
    new_key,
    remote_tip,
    with_origin,
)


@pytest.fixture
def server(repo: Repo, tmp_path: Path) -> Path:
    """A bare repository guarded by hooks/pre-receive, holding a clean `main`; `repo` is a
    clone-like client whose `origin` it is."""
    bare = with_origin(repo, tmp_path)
    commit_file(repo, "README.md", "hello\n", "root")
    repo.git("push", "-q", "origin", "main")
    return guard_with_pre_receive(bare)


def test_push_with_a_key_is_rejected_with_a_clear_message(server: Path, repo: Repo) -> None:
    key = new_key("electronhub-api-key")
    before = remote_tip(repo, "refs/heads/main")
    commit_file(repo, "a.txt", "clean\n")
    commit_file(repo, "app/settings.py", f'EH_KEY = "{key}"\n')
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], [key])
    assert "remote: leakstop: 1 API key found in the commits being pushed." in refused.stderr
    assert "app/settings.py:1" in refused.stderr
    assert "remote: leakstop: push rejected: the commits above carry API keys." in refused.stderr
    assert "pre-receive hook declined" in refused.stderr
    assert remote_tip(repo, "refs/heads/main") == before

    # The same push without the key is accepted.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    clean = commit_file(repo, "app/settings.py", 'EH_KEY = os.environ["EH_KEY"]\n')
    accepted = git_push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert "remote: leakstop: no API keys in the commits being pushed" in accepted.stderr
    assert remote_tip(repo, "refs/heads/main") == clean


def test_new_refs_scan_only_what_the_server_lacks(server: Path, repo: Repo) -> None:
    old = new_key("syncline-user-key")
    repo.git("checkout", "-q", "-b", "accepted-earlier")
    commit_file(repo, "old.js", f"k = '{old}'\n")
    (server / "hooks" / "pre-receive").rename(server / "hooks" / "off")
    assert git_push(repo, "origin", "accepted-earlier").returncode == 0
    (server / "hooks" / "off").rename(server / "hooks" / "pre-receive")

    # A new branch made of commits the server has: nothing new, accepted.
    accepted = git_push(repo, "origin", "accepted-earlier:copy")
    assert accepted.returncode == 0, accepted.stderr
    assert "(0 files, 0 bytes)" in accepted.stderr

    # A clean commit on top of an old key is accepted; a new key on a new branch is not.
    commit_file(repo, "fix.js", "k = process.env.K\n")
    assert git_push(repo, "origin", "HEAD:refs/heads/fixed").returncode == 0
    new = new_key("syncline-user-key")
    commit_file(repo, "new.js", f"k = '{new}'\n")
    refused = git_push(repo, "origin", "HEAD:refs/heads/brand-new")
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], [old, new])
    assert "new.js:1" in refused.stderr
    assert "old.js" not in refused.stderr
    assert remote_tip(repo, "refs/heads/brand-new") == ""


def test_one_bad_ref_rejects_the_whole_push(server: Path, repo: Repo) -> None:
    key = new_key("scrapebit-api-key")
    commit_file(repo, "a.txt", "clean\n")
    repo.git("checkout", "-q", "-b", "second")
    commit_file(repo, "b.env", f"SB={key}\n")
    repo.git("tag", "-a", "-m", "release", "v1")
    refused = git_push(repo, "origin", "main", "second", "v1")
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], [key])
    assert refused.stderr.count("b.env:1") == 1  # reached by two refs, reported once
    assert remote_tip(repo, "refs/heads/second") == ""
    assert remote_tip(repo, "refs/tags/v1") == ""


def test_deleting_a_ref_is_accepted(server: Path, repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "gone")
    commit_file(repo, "a.txt", "clean\n")
    assert git_push(repo, "origin", "gone").returncode == 0
    deleted = git_push(repo, "origin", "--delete", "gone")
    assert deleted.returncode == 0, deleted.stderr
    assert remote_tip(repo, "refs/heads/gone") == ""


def test_push_that_cannot_be_scanned_is_rejected(server: Path, repo: Repo) -> None:
    blob = repo.git("hash-object", "-w", "--stdin", input=b"no commit here\n").strip()
    refused = git_push(repo, "origin", f"{blob}:refs/tags/a-blob")
    assert refused.returncode != 0
    assert "is a blob, not a commit" in refused.stderr
    assert "remote: leakstop: push rejected: the pushed commits could not be checked" in (
        refused.stderr
    )


def test_hook_finds_leakstop_by_variable_or_refuses(
    server: Path, repo: Repo, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = shutil.which("git")
    assert git
    (bin_dir / "git").symlink_to(git)
    (bin_dir / "python3").write_text("#!/bin/sh\nexit 1\n")  # a python without leakstop
    (bin_dir / "python3").chmod(0o755)
    bare_path = {"PATH": str(bin_dir)}
    key = new_key("electronhub-api-key")
    commit_file(repo, "k.txt", f"{key}\n")

    via_variable = git_push(
        repo, "origin", "main", env={**bare_path, "LEAKSTOP": f"{sys.executable} -m leakstop"}
    )
    assert via_variable.returncode != 0
    assert "remote: leakstop: 1 API key found" in via_variable.stderr

    missing = subprocess.run(
        ["git", "push", "origin", "main"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **bare_path},
    )
    assert missing.returncode != 0
    assert "the server cannot check it for API keys" in missing.stderr
    assert_no_leak([via_variable.stderr, missing.stderr], [key])


def test_administrator_baseline_accepts_a_known_key(
    server: Path, repo: Repo, tmp_path: Path
) -> None:
    key = new_key("electronhub-proxy-key")
    baseline = tmp_path / "accepted.baseline"
    entry = {"hashed_secret": hashed_secret(key), "line_number": 1}
    baseline.write_text(json.dumps({"results": {"fixtures/k.txt": [entry]}}))
    pushed = commit_file(repo, "fixtures/k.txt", f"{key}\n")
    accepted = git_push(repo, "origin", "main", env={"LEAKSTOP_OPTIONS": f"--baseline {baseline}"})
    assert accepted.returncode == 0, accepted.stderr
    assert remote_tip(repo, "refs/heads/main") == pushed


# -- `leakstop scan --pre-receive` in process, in a bare repository -------------------------


def test_pre_receive_in_a_bare_repository(server: Path, repo: Repo, run_cli: RunCli) -> None:
    key = new_key("ecgrid-api-key")
    tip = remote_tip(repo, "refs/heads/main")
    commit_file(repo, "a.txt", "clean\n")
    bad = commit_file(repo, "cfg.yml", f"ecgrid:\n  api_key: {key}\n")
    # The objects reach the server without any ref: as in git's quarantine during the hook.
    (server / "hooks" / "pre-receive").unlink()
    repo.git("push", "-q", "origin", "main:refs/heads/staging")
    subprocess.run(["git", "update-ref", "-d", "refs/heads/staging"], cwd=server, check=True)

    lines = f"{tip} {bad} refs/heads/main\n{ZERO} {bad} refs/heads/other\n{tip} {ZERO} gone\n"
    argv = ["scan", "--pre-receive", "--format", "json"]
    outcome = run_cli(argv, server, keys=[key], stdin=lines)
    assert outcome.code == 1
    report = json.loads(outcome.out)
    assert report["scan"]["mode"] == "pre-push"
    assert report["scan"]["commits"] == 2
    assert [(f["commit"], f["line"]) for f in report["findings"]] == [(bad, 2)]

    assert run_cli(argv, server, stdin=f"{tip} {ZERO} refs/heads/main\n").code == 0
    for bad_input in ("one two\n", f"{tip} nothex refs/heads/main\n"):
        outcome = run_cli(argv, server, stdin=bad_input)
        assert outcome.code == 2
        assert "line 1 of the input is not '<old sha> <new sha> <ref name>'" in outcome.err
    assert run_cli(["scan", "--pre-receive", "x"], server).code == 2
