"""The integrations in hooks/: the plain pre-push script in real pushes to a local remote, and
the scan scripts of the GitHub Actions and GitLab CI templates run as the CI would run them,
against real clones, for the events they handle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.testing import (
    PROJECT,
    VENV_BIN,
    ZERO,
    Repo,
    assert_no_leak,
    ci_checkout,
    ci_env,
    commit_file,
    git_push,
    new_key,
    remote_tip,
    run_bash,
    sarif_uris,
    with_origin,
)

HOOKS = PROJECT / "hooks"


def _install_pre_push(repo: Repo) -> None:
    target = repo.path / ".git" / "hooks" / "pre-push"
    shutil.copy2(HOOKS / "pre-push", target)
    target.chmod(0o755)


@pytest.fixture
def guarded(repo: Repo, tmp_path: Path) -> Repo:
    """A repository with hooks/pre-push installed and a clean `main` on its remote."""
    with_origin(repo, tmp_path)
    commit_file(repo, "README.md", "hello\n", "root")
    repo.git("push", "-q", "origin", "main")
    _install_pre_push(repo)
    return repo


# -- hooks/pre-push in real pushes ----------------------------------------------------------


def test_pre_push_script_refuses_keys_and_lets_clean_pushes_through(guarded: Repo) -> None:
    keys = [new_key("syncline-user-key") for _ in range(4)]
    repo = guarded

    clean = commit_file(repo, "a.txt", "clean\n")
    allowed = git_push(repo, "origin", "main")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_tip(repo, "refs/heads/main") == clean

    commit_file(repo, "k.js", f"const k = '{keys[0]}';\n")
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], keys)
    assert "The push is blocked." in refused.stdout
    assert "failed to push some refs" in refused.stderr
    assert remote_tip(repo, "refs/heads/main") == clean

    # Out anyway (--no-verify): a clean commit on top is not blocked by it again.
    assert git_push(repo, "--no-verify", "origin", "main").returncode == 0
    on_top = commit_file(repo, "k.js", "const k = process.env.K;\n")
    allowed = git_push(repo, "origin", "main")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_tip(repo, "refs/heads/main") == on_top

    # A new branch: its own commits are scanned, not main's.
    repo.git("checkout", "-q", "-b", "feature")
    commit_file(repo, "b.txt", f"{keys[1]}\n")
    refused = git_push(repo, "-u", "origin", "feature")
    assert refused.returncode != 0
    assert remote_tip(repo, "refs/heads/feature") == ""
    repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_file(repo, "b.txt", "clean\n")
    assert git_push(repo, "-u", "origin", "feature").returncode == 0

    # Force push: a rewrite with a key is refused; a clean rewrite goes through.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_file(repo, "c.txt", f"{keys[2]}\n")
    assert git_push(repo, "--force", "origin", "feature").returncode != 0
    repo.git("reset", "-q", "--hard", "HEAD~1")
    rewritten = commit_file(repo, "c.txt", "clean\n")
    allowed = git_push(repo, "--force", "origin", "feature")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_tip(repo, "refs/heads/feature") == rewritten

    # Several refs at once: a key only in the second one still refuses the push.
    repo.git("checkout", "-q", "main")
    commit_file(repo, "d.txt", "clean\n")
    repo.git("checkout", "-q", "-b", "second")
    commit_file(repo, "e.txt", f"{keys[3]}\n")
    refused = git_push(repo, "origin", "main", "second")
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], keys)
    assert "e.txt:1" in refused.stdout
    assert remote_tip(repo, "refs/heads/main") == on_top
    assert remote_tip(repo, "refs/heads/second") == ""

    deleted = git_push(repo, "origin", "--delete", "feature")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert remote_tip(repo, "refs/heads/feature") == ""


def test_pre_push_script_root_commit(repo: Repo, tmp_path: Path) -> None:
    with_origin(repo, tmp_path)
    _install_pre_push(repo)
    key = new_key("scrapebit-api-key")
    commit_file(repo, "sb.env", f"SB={key}\n", "root")
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0
    assert "sb.env:1" in refused.stdout
    repo.git("update-ref", "-d", "HEAD")
    repo.git("rm", "-q", "--cached", "sb.env")
    root = commit_file(repo, "README.md", "clean root\n", "root")
    allowed = git_push(repo, "origin", "main")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert remote_tip(repo, "refs/heads/main") == root


def test_pre_push_script_in_a_shallow_clone(guarded: Repo, tmp_path: Path) -> None:
    bare = guarded.git("remote", "get-url", "origin").strip()
    clone = Repo(tmp_path / "shallow")
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{bare}", str(clone.path)], check=True
    )
    _install_pre_push(clone)
    # The remote moves on; the shallow clone force-pushes over a tip it never saw.
    commit_file(guarded, "a.txt", "upstream\n")
    assert git_push(guarded, "origin", "main").returncode == 0
    key = new_key("electronhub-api-key")
    commit_file(clone, "k.txt", f"{key}\n")
    refused = git_push(clone, "--force", "origin", "main")
    assert refused.returncode != 0
    assert "which this shallow clone does not have" in refused.stderr
    assert "Traceback" not in refused.stderr
    clone.git("reset", "-q", "--hard", "HEAD~1")
    mine = commit_file(clone, "b.txt", "clean\n")
    allowed = git_push(clone, "--force", "origin", "main")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "which this shallow clone does not have" in allowed.stderr
    assert remote_tip(clone, "refs/heads/main") == mine


def test_pre_push_script_finds_leakstop_or_refuses(guarded: Repo, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = shutil.which("git")
    assert git
    (bin_dir / "git").symlink_to(git)
    (bin_dir / "python3").write_text("#!/bin/sh\nexit 1\n")  # a python without leakstop
    (bin_dir / "python3").chmod(0o755)
    commit_file(guarded, "a.txt", "clean\n")
    env = {**os.environ, "PATH": str(bin_dir)}

    def push(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "push", "origin", "main"],
            cwd=guarded.path,
            capture_output=True,
            text=True,
            env={**env, **extra},
        )

    missing = push({})
    assert missing.returncode != 0
    assert "leakstop is not installed" in missing.stderr
    python = Path(VENV_BIN) / "python"
    found = push({"LEAKSTOP": f"{python} -m leakstop"})
    assert found.returncode == 0, found.stdout + found.stderr
    assert "no API keys in the commits being pushed" in found.stdout


def test_pre_push_script_chained_behind_pre_commit_sees_every_ref(
    guarded: Repo, tmp_path: Path
) -> None:
    """pre-commit gives its hooks the first pushed ref only; the plain script installed
    before `pre-commit install` runs as pre-push.legacy with git's full input (docs)."""
    pre_commit = shutil.which("pre-commit", path=VENV_BIN)
    assert pre_commit
    repo = guarded
    repo.stage(".pre-commit-config.yaml", "repos: []\n")
    repo.commit("pre-commit config")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    subprocess.run(
        [pre_commit, "install", "--hook-type", "pre-push"],
        cwd=repo.path,
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    assert (repo.path / ".git" / "hooks" / "pre-push.legacy").exists()
    key = new_key("scrapebit-api-key")
    repo.git("checkout", "-q", "-b", "first")
    commit_file(repo, "a.txt", "clean\n")
    repo.git("checkout", "-q", "-b", "second")
    commit_file(repo, "sb.env", f"SB={key}\n")
    refused = git_push(repo, "origin", "first", "second", env=env)
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], [key])
    assert "sb.env:1" in refused.stdout
    assert remote_tip(repo, "refs/heads/first") == ""


# -- the CI templates' scan scripts ---------------------------------------------------------


def _github_steps() -> dict[str, dict[str, Any]]:
    workflow = yaml.safe_load((HOOKS / "github-actions.yml").read_text())
    steps: list[dict[str, Any]] = workflow["jobs"]["leakstop"]["steps"]
    return {step.get("id") or step.get("name", step.get("uses", "")): step for step in steps}


def _github_scan(
    repo: Repo, tmp_path: Path, name: str, **event: str
) -> tuple[str, dict[str, Any] | None]:
    """Run the workflow's scan step on a full clone; (status output, SARIF log or None)."""
    step = _github_steps()["scan"]
    assert step["shell"] == "bash"
    clone = ci_checkout(repo, tmp_path, name)
    values = {var: "" for var in step["env"]}
    values.update(event)
    env = ci_env(tmp_path, **values)
    Path(env["GITHUB_OUTPUT"]).write_text("")
    ran = run_bash(step["run"], clone, env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    output = dict(
        line.split("=", 1) for line in Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
    )
    sarif = clone / "leakstop.sarif"
    return output["status"], (json.loads(sarif.read_text()) if sarif.exists() else None)


def test_github_workflow_push_events(published: Repo, tmp_path: Path) -> None:
    repo = published
    before = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "a.txt", "clean\n")
    bad = commit_file(repo, "k.txt", f"{new_key('syncline-user-key')}\n")
    repo.git("push", "-q", "origin", "main")
    push = {"EVENT": "push", "REF": "refs/heads/main"}
    status, sarif = _github_scan(repo, tmp_path, "gh1", **push, BEFORE=before, AFTER=bad)
    assert status == "1"
    assert sarif_uris(sarif) == ["k.txt"]

    # A new branch: only what no other branch has (main's keys are not its commits).
    repo.git("checkout", "-q", "-b", "feature")
    clean = commit_file(repo, "b.txt", "clean\n")
    repo.git("push", "-q", "origin", "feature")
    new_branch = {"EVENT": "push", "REF": "refs/heads/feature", "BEFORE": ZERO}
    status, sarif = _github_scan(repo, tmp_path, "gh2", **new_branch, AFTER=clean)
    assert status == "0"
    assert sarif_uris(sarif) == []

    # A force push: what is new since the old tip, which no branch has any more.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    commit_file(repo, "c.txt", "rewritten\n")
    bad2 = commit_file(repo, "d.txt", f"{new_key('scrapebit-api-key')}\n")
    repo.git("push", "-q", "--force", "origin", "feature")
    forced = {"EVENT": "push", "REF": "refs/heads/feature", "BEFORE": clean}
    status, sarif = _github_scan(repo, tmp_path, "gh3", **forced, AFTER=bad2)
    assert status == "1"
    assert sarif_uris(sarif) == ["d.txt"]

    deleted = {"EVENT": "push", "REF": "refs/heads/gone", "BEFORE": clean, "AFTER": ZERO}
    assert _github_scan(repo, tmp_path, "gh4", **deleted) == ("0", None)


def test_github_workflow_pull_request_and_other_events(published: Repo, tmp_path: Path) -> None:
    repo = published
    base = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "pr")
    commit_file(repo, "a.txt", "clean\n")
    head = commit_file(repo, "cfg.env", f"SB={new_key('scrapebit-api-key')}\n")
    repo.git("push", "-q", "origin", "pr")
    pull = {"EVENT": "pull_request", "BASE": base, "HEAD": head}
    status, sarif = _github_scan(repo, tmp_path, "pr", **pull)
    assert status == "1"
    assert sarif_uris(sarif) == ["cfg.env"]

    status, sarif = _github_scan(repo, tmp_path, "all", EVENT="workflow_dispatch")
    assert status == "1"
    assert sorted(sarif_uris(sarif)) == ["cfg.env", "old.txt"]


def test_github_workflow_fails_the_job_after_the_upload(tmp_path: Path) -> None:
    steps = _github_steps()
    names = list(steps)
    upload = next(k for k in names if "upload-sarif" in str(steps[k].get("uses")))
    fail = next(k for k in names if "Fail" in k)
    assert names.index("scan") < names.index(upload) < names.index(fail)
    assert steps[upload]["if"].startswith("always()")
    assert steps[fail]["if"] == "steps.scan.outputs.status != '0'"
    checkout = next(s for s in steps.values() if str(s.get("uses")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    for status, message in (("1", "found API keys"), ("2", "could not scan")):
        ran = run_bash(steps[fail]["run"], tmp_path, ci_env(tmp_path, STATUS=status))
        assert ran.returncode == 1
        assert f"::error::leakstop {message}" in ran.stdout


def _gitlab_script() -> str:
    job = yaml.safe_load((HOOKS / "gitlab-ci.yml").read_text())["leakstop"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    return "\n".join(job["script"])


def _gitlab_run(repo: Repo, tmp_path: Path, name: str, branch: str, **ci: str) -> Any:
    # The runner fetches the pipeline's own branch only, and checks out a detached HEAD.
    clone = ci_checkout(repo, tmp_path, name, "--single-branch", "--branch", branch)
    subprocess.run(["git", "checkout", "-q", "--detach", ci["CI_COMMIT_SHA"]], cwd=clone)
    return run_bash(_gitlab_script(), clone, ci_env(tmp_path, **ci))


def test_gitlab_job_pushes_and_merge_requests(published: Repo, tmp_path: Path) -> None:
    repo = published
    keys = [new_key("ecgrid-api-key") for _ in range(2)]
    before = repo.git("rev-parse", "HEAD").strip()
    bad = commit_file(repo, "appsettings.json", '{"ECGrid": {"ApiKey": "' + keys[0] + '"}}\n')
    repo.git("push", "-q", "origin", "main")
    ran = _gitlab_run(
        repo,
        tmp_path,
        "gl1",
        "main",
        CI_COMMIT_BRANCH="main",
        CI_COMMIT_BEFORE_SHA=before,
        CI_COMMIT_SHA=bad,
    )
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "appsettings.json:1" in ran.stdout
    assert_no_leak([ran.stdout, ran.stderr], keys)

    # A new branch (before = zeros): main's commits are not its own.
    repo.git("checkout", "-q", "-b", "topic")
    clean = commit_file(repo, "a.txt", "clean\n")
    repo.git("push", "-q", "origin", "topic")
    ran = _gitlab_run(
        repo,
        tmp_path,
        "gl2",
        "topic",
        CI_COMMIT_BRANCH="topic",
        CI_COMMIT_BEFORE_SHA=ZERO,
        CI_COMMIT_SHA=clean,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "no API keys in the commits being pushed" in ran.stdout

    # A merge request: its own commits against the base it was opened from.
    mr = commit_file(repo, "b.json", '{"ECGrid": {"ApiKey": "' + keys[1] + '"}}\n')
    repo.git("push", "-q", "origin", "topic")
    ran = _gitlab_run(
        repo,
        tmp_path,
        "gl3",
        "topic",
        CI_MERGE_REQUEST_IID="7",
        CI_MERGE_REQUEST_DIFF_BASE_SHA=bad,
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main",
        CI_COMMIT_SHA=mr,
    )
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "b.json:1" in ran.stdout
    assert "appsettings.json" not in ran.stdout

    # A tag pipeline.
    repo.git("tag", "v1", clean)
    repo.git("push", "-q", "origin", "v1")
    ran = _gitlab_run(
        repo,
        tmp_path,
        "gl4",
        "v1",
        CI_COMMIT_TAG="v1",
        CI_COMMIT_BEFORE_SHA=ZERO,
        CI_COMMIT_SHA=clean,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
