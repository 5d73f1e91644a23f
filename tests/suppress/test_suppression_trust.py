"""A push cannot suppress the key it adds: in the modes that judge new commits (--range,
--pre-push, --pre-receive, the CI templates), baselines and pragmas come from the trusted side,
never from the commits being judged. Real repositories, real commits, real pushes to bare
remotes guarded by the shipped hook scripts; each test tries one way of smuggling a
suppression in, and the honest way to accept a finding next to it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from leakstop.secrets_text import hashed_secret
from leakstop.suppress.baseline import Baseline
from tests.testing import (
    PROJECT,
    ZERO,
    Repo,
    RunCli,
    assert_no_leak,
    commit_file,
    git_push,
    guard_with_pre_receive,
    new_key,
    push_lines,
    remote_tip,
    with_origin,
)

MISSING = object()


def baseline_json(entries: dict[str, list[Any]]) -> str:
    """A detect-secrets baseline; an entry is a key, or (key, is_secret) where MISSING
    leaves the field out."""
    results = {}
    for file, keys in entries.items():
        rows = []
        for item in keys:
            key, verdict = item if isinstance(item, tuple) else (item, MISSING)
            row: dict[str, Any] = {
                "type": "ElectronHub API Key",
                "filename": file,
                "hashed_secret": hashed_secret(key),
                "is_verified": False,
                "line_number": 1,
            }
            if verdict is not MISSING:
                row["is_secret"] = verdict
            rows.append(row)
        results[file] = rows
    data = {"version": "1.5.0", "plugins_used": [], "filters_used": [], "results": results}
    return json.dumps(data, indent=2) + "\n"


@pytest.fixture
def server(pushed: Repo, tmp_path: Path) -> Path:
    """origin guarded by hooks/pre-receive."""
    return guard_with_pre_receive(tmp_path / "origin.git")


def unguarded_push(repo: Repo, server: Path, *args: str) -> None:
    """A push the hook does not see (history that is already on the server, trusted)."""
    hook = server / "hooks" / "pre-receive"
    hook.rename(server / "hooks" / "off")
    try:
        repo.git("push", "-q", *args)
    finally:
        (server / "hooks" / "off").rename(hook)


def scan_json(
    run_cli: RunCli, repo: Repo, args: list[str], keys: list[str], stdin: str = ""
) -> Any:
    outcome = run_cli(["scan", "--format", "json", *args], repo.path, keys=keys, stdin=stdin)
    assert outcome.code in (0, 1), outcome.err
    report = json.loads(outcome.out)
    report["code"], report["err"] = outcome.code, outcome.err
    return report


def hashes(report: Any) -> set[str]:
    return {f["hashed_secret"] for f in report["findings"]}


def pre_push(run_cli: RunCli, repo: Repo, keys: list[str], *refspecs: str) -> Any:
    return scan_json(run_cli, repo, ["--pre-push", "origin"], keys, push_lines(repo, *refspecs))


# -- the attack of the issue, in every mode -------------------------------------------------


def test_key_and_its_baseline_entry_in_one_commit_are_caught_in_every_mode(
    server: Path, pushed: Repo, run_cli: RunCli, tmp_path: Path
) -> None:
    repo = pushed
    key = new_key("electronhub-api-key")
    base = repo.git("rev-parse", "HEAD").strip()
    repo.stage("deploy.env", f"EH={key}\n")
    repo.stage(".secrets.baseline", baseline_json({"deploy.env": [key]}))
    repo.commit("deploy config")

    # The checkout's own baseline is the owner's: files and staged modes accept the key.
    assert scan_json(run_cli, repo, [], [key])["code"] == 0

    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [key])
    assert (report["code"], hashes(report), report.get("suppressed")) == (
        1,
        {hashed_secret(key)},
        None,
    )
    assert report["scan"]["mode"] == "range"
    assert pre_push(run_cli, repo, [key], "main")["code"] == 1

    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], [key])
    assert "deploy.env:1" in refused.stderr
    assert remote_tip(repo, "refs/heads/main") == base


def test_baseline_added_by_an_earlier_commit_of_the_same_push(
    server: Path, pushed: Repo, run_cli: RunCli
) -> None:
    repo = pushed
    key = new_key("syncline-user-key")
    base = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, ".secrets.baseline", baseline_json({"app/k.js": [key]}), "baseline first")
    commit_file(repo, "app/k.js", f"const k = '{key}';\n", "then the key")
    assert scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [key])["code"] == 1
    assert pre_push(run_cli, repo, [key], "main")["code"] == 1
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0 and "app/k.js:1" in refused.stderr
    assert_no_leak([refused.stdout, refused.stderr], [key])


def test_a_baseline_already_on_the_trusted_side_still_accepts(
    server: Path, pushed: Repo, run_cli: RunCli
) -> None:
    """The honest way: the accepted entry lands first (a push carrying no key), then the
    key is accepted by what the remote already has."""
    repo = pushed
    key = new_key("scrapebit-api-key")
    commit_file(repo, ".secrets.baseline", baseline_json({"conf.env": [key]}), "accept it")
    accepted = git_push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    base = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "conf.env", f"SB={key}\n")

    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [key])
    assert (report["code"], report["findings"]) == (0, [])
    assert pre_push(run_cli, repo, [key], "main")["code"] == 0
    passed = git_push(repo, "origin", "main")
    assert passed.returncode == 0, passed.stderr
    assert "accepted by the baseline" in passed.stderr
    assert_no_leak([passed.stdout, passed.stderr], [key])


def test_a_push_that_deletes_or_rewrites_the_baseline_does_not_change_what_is_accepted(
    server: Path, pushed: Repo, run_cli: RunCli
) -> None:
    repo = pushed
    accepted, other = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    commit_file(repo, ".secrets.baseline", baseline_json({"a.env": [accepted]}))
    unguarded_push(repo, server, "origin", "main")
    base = repo.git("rev-parse", "HEAD").strip()

    # Deleting the baseline in the push: the trusted entry still accepts its own key.
    repo.git("rm", "-q", ".secrets.baseline")
    repo.stage("a.env", f"A={accepted}\n")
    repo.commit("drop the baseline, add the accepted key")
    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [accepted])
    assert (report["code"], report["findings"]) == (0, [])

    # Rewriting the entry to another key in the same push accepts nothing new.
    commit_file(repo, ".secrets.baseline", baseline_json({"a.env": [accepted, other]}))
    commit_file(repo, "a.env", f"A={accepted}\nB={other}\n")
    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [accepted, other])
    assert (report["code"], hashes(report)) == (1, {hashed_secret(other)})
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0 and "a.env:2" in refused.stderr


# -- other places a baseline could be smuggled in -------------------------------------------


def test_baseline_in_a_subdirectory_or_under_another_name(pushed: Repo, run_cli: RunCli) -> None:
    repo = pushed
    key = new_key("electronhub-api-key")
    base = repo.git("rev-parse", "HEAD").strip()
    repo.stage("svc/deploy.env", f"EH={key}\n")
    repo.stage("svc/.secrets.baseline", baseline_json({"svc/deploy.env": [key]}))
    repo.stage("svc/accepted.json", baseline_json({"svc/deploy.env": [key]}))
    repo.commit()
    sub = Repo(repo.path / "svc")
    for args in (
        ["--range", f"{base}..HEAD"],
        ["--range", f"{base}..HEAD", "--baseline", "accepted.json"],
        ["--range", f"{base}..HEAD", "--baseline", str(repo.path / "svc" / "accepted.json")],
        ["--range", f"{base}..HEAD", "--baseline", ".secrets.baseline"],
    ):
        report = scan_json(run_cli, sub, args, [key])
        assert (report["code"], hashes(report)) == (1, {hashed_secret(key)}), args


def test_baseline_renamed_by_the_push(pushed: Repo, run_cli: RunCli) -> None:
    """The push moves a trusted baseline elsewhere and adds a new one in its place."""
    repo = pushed
    old, new = new_key("syncline-user-key"), new_key("syncline-user-key")
    commit_file(repo, ".secrets.baseline", baseline_json({"k.js": [old]}))
    repo.git("push", "-q", "origin", "main")
    base = repo.git("rev-parse", "HEAD").strip()
    repo.git("mv", ".secrets.baseline", "old.baseline")
    repo.stage(".secrets.baseline", baseline_json({"k.js": [new]}))
    repo.stage("k.js", f"a = '{old}'\nb = '{new}'\n")
    repo.commit()
    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [old, new])
    assert hashes(report) == {hashed_secret(new)}
    # Naming the moved file: read where it is trusted, where it does not exist yet.
    args = ["--range", f"{base}..HEAD", "--baseline", "old.baseline"]
    report = scan_json(run_cli, repo, args, [old, new])
    assert hashes(report) == {hashed_secret(new), hashed_secret(old)}
    assert "which has no such file" in report["err"]
    report = pre_push(run_cli, repo, [old, new], "main")
    assert hashes(report) == {hashed_secret(new)}


def test_operator_baseline_outside_the_repository_is_trusted_as_given(
    server: Path, pushed: Repo, run_cli: RunCli, tmp_path: Path
) -> None:
    repo = pushed
    key = new_key("electronhub-api-key")
    operator = tmp_path / "ops" / "accepted.baseline"
    operator.parent.mkdir()
    operator.write_text(baseline_json({"deploy.env": [key]}))
    base = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "deploy.env", f"EH={key}\n")
    report = scan_json(
        run_cli, repo, ["--range", f"{base}..HEAD", "--baseline", str(operator)], [key]
    )
    assert (report["code"], report["findings"]) == (0, [])

    # The server's operator names it through LEAKSTOP_OPTIONS.
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0
    accepted = git_push(repo, "origin", "main", env={"LEAKSTOP_OPTIONS": f"--baseline {operator}"})
    assert accepted.returncode == 0, accepted.stderr
    assert_no_leak([refused.stderr, accepted.stderr], [key])


def test_symlinked_baselines(pushed: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    repo = pushed
    key, other = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    outside = tmp_path / "outside.json"
    outside.write_text(baseline_json({"x.env": [key, other]}))

    # Trusted side: a link inside the tree is followed there.
    repo.stage("config/baseline.json", baseline_json({"x.env": [key]}))
    (repo.path / ".secrets.baseline").symlink_to("config/baseline.json")
    repo.git("add", ".secrets.baseline")
    repo.commit("baseline via a link")
    base = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "x.env", f"K={key}\n")
    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [key])
    assert (report["code"], report["findings"]) == (0, [])

    # The push turns the baseline into a link to a file of the scanning machine: unused.
    (repo.path / ".secrets.baseline").unlink()
    (repo.path / ".secrets.baseline").symlink_to(outside)
    repo.git("add", ".secrets.baseline")
    repo.stage("x.env", f"K={key}\nO={other}\n")
    linked = repo.commit("link out")
    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [key, other])
    assert hashes(report) == {hashed_secret(other)}

    # Trusted side linking out of the repository: not followed, said so, nothing accepted.
    commit_file(repo, "y.env", f"K={key}\n")
    report = scan_json(run_cli, repo, ["--range", f"{linked}..HEAD"], [key, other])
    assert hashes(report) == {hashed_secret(key)}
    assert "symlink that leaves the repository" in report["err"]
    assert str(outside) not in report["err"]


def test_malformed_baseline_on_the_trusted_side_accepts_nothing_and_can_be_repaired(
    server: Path, pushed: Repo, run_cli: RunCli
) -> None:
    repo = pushed
    key = new_key("scrapebit-api-key")
    commit_file(repo, ".secrets.baseline", '{"results": {"a.env": [ broken\n')
    unguarded_push(repo, server, "origin", "main")
    base = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "a.env", f"SB={key}\n")
    report = scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [key])
    assert report["code"] == 1
    assert "is not valid JSON" in report["err"] and "accepts nothing" in report["err"]
    assert len(report["err"].strip().splitlines()) == 1

    # The repair itself is not blocked by the broken file.
    repo.git("reset", "-q", "--hard", base)
    commit_file(repo, ".secrets.baseline", baseline_json({"a.env": [key]}))
    repaired = git_push(repo, "origin", "main")
    assert repaired.returncode == 0, repaired.stderr
    assert "is not valid JSON" in repaired.stderr


# -- pushes of new refs and of several refs -------------------------------------------------


def test_new_ref_is_judged_against_the_default_branch(
    server: Path, pushed: Repo, run_cli: RunCli
) -> None:
    repo = pushed
    accepted, smuggled = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    commit_file(repo, ".secrets.baseline", baseline_json({"a.env": [accepted]}))
    assert git_push(repo, "origin", "main").returncode == 0
    repo.git("checkout", "-q", "-b", "feature")
    repo.stage(".secrets.baseline", baseline_json({"a.env": [accepted, smuggled]}))
    repo.stage("a.env", f"A={accepted}\nB={smuggled}\n")
    repo.commit()
    keys = [accepted, smuggled]

    refused = git_push(repo, "origin", "feature")
    assert refused.returncode != 0
    assert "a.env:2" in refused.stderr and "a.env:1" not in refused.stderr
    assert_no_leak([refused.stdout, refused.stderr], keys)

    # A tag is a new ref like any other.
    repo.git("tag", "-a", "-m", "release", "v1")
    tagged = git_push(repo, "origin", "v1")
    assert tagged.returncode != 0 and "a.env:2" in tagged.stderr

    # pre-push: the remote's default branch as last fetched (origin/HEAD) ...
    repo.git("remote", "set-head", "origin", "main")
    report = pre_push(run_cli, repo, keys, "feature")
    assert hashes(report) == {hashed_secret(smuggled)}
    # ... and without one, no trusted side at all: nothing is accepted.
    repo.git("remote", "set-head", "origin", "-d")
    report = pre_push(run_cli, repo, keys, "feature")
    assert hashes(report) == {hashed_secret(accepted), hashed_secret(smuggled)}


def test_first_push_to_an_empty_server(repo: Repo, tmp_path: Path) -> None:
    bare = with_origin(repo, tmp_path)
    hook = bare / "hooks" / "pre-receive"
    shutil.copy2(PROJECT / "hooks" / "pre-receive", hook)
    hook.chmod(0o755)
    key = new_key("syncline-user-key")
    repo.stage("k.js", f"k = '{key}'\n")
    repo.stage(".secrets.baseline", baseline_json({"k.js": [key]}))
    repo.commit("root")
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0 and "k.js:1" in refused.stderr
    assert_no_leak([refused.stderr], [key])


def test_several_refs_every_trusted_side_must_accept(
    server: Path, pushed: Repo, run_cli: RunCli
) -> None:
    """A branch whose baseline accepts the key (pushed earlier) cannot lend that acceptance
    to main in a push that updates both."""
    repo = pushed
    key = new_key("scrapebit-api-key")
    root = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "lenient")
    commit_file(repo, ".secrets.baseline", baseline_json({"s.env": [key]}))
    assert git_push(repo, "origin", "lenient").returncode == 0
    repo.git("checkout", "-q", "main")
    carrying = commit_file(repo, "s.env", f"SB={key}\n")
    repo.git("checkout", "-q", "lenient")
    repo.git("merge", "-q", "--no-edit", "main")

    report = pre_push(run_cli, repo, [key], "main", "lenient")
    assert report["code"] == 1
    assert {f["commit"] for f in report["findings"]} == {carrying}
    refused = git_push(repo, "origin", "main", "lenient")
    assert refused.returncode != 0 and "s.env:1" in refused.stderr
    assert remote_tip(repo, "refs/heads/main") == root
    # The lenient branch alone is judged by its own (trusted) baseline.
    alone = git_push(repo, "origin", "lenient")
    assert alone.returncode == 0, alone.stderr


# -- audited entries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "accepted"),
    [(MISSING, True), (None, True), (False, True), (True, False), ("true", False), (1, False)],
)
def test_is_secret_verdicts(verdict: object, accepted: bool, pushed: Repo, run_cli: RunCli) -> None:
    repo = pushed
    key = new_key("electronhub-api-key")
    content = baseline_json({"k.env": [(key, verdict)]})
    commit_file(repo, ".secrets.baseline", content)
    repo.git("push", "-q", "origin", "main")
    base = repo.git("rev-parse", "HEAD").strip()
    repo.stage("k.env", f"K={key}\n")
    expected = 0 if accepted else 1
    assert scan_json(run_cli, repo, ["--staged"], [key])["code"] == expected
    repo.commit()
    for args in (
        [],
        ["--history"],
        ["--range", f"{base}..HEAD"],
        ["--baseline", ".secrets.baseline"],
    ):
        assert scan_json(run_cli, repo, args, [key])["code"] == expected, args
    assert pre_push(run_cli, repo, [key], "main")["code"] == expected


def test_baseline_loader_skips_confirmed_secrets(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps(
            {
                "results": {
                    "a": [
                        {"hashed_secret": "h1"},
                        {"hashed_secret": "h2", "is_secret": True},
                        {"hashed_secret": "h3", "is_secret": False},
                    ]
                }
            }
        )
    )
    loaded = Baseline.load(path)
    assert (loaded.accepts("a", "h1"), loaded.accepts("a", "h2"), loaded.accepts("a", "h3")) == (
        True,
        False,
        True,
    )


# -- inline pragmas -------------------------------------------------------------------------

PRAGMAS = {
    "same line": 'KEY = "{key}"  # pragma: allowlist secret\n',
    "next line": '# pragma: allowlist nextline secret\nKEY = "{key}"\n',
}


@pytest.mark.parametrize("style", sorted(PRAGMAS))
def test_pragma_added_with_the_key_does_not_pass_judged_modes(
    style: str, server: Path, pushed: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = pushed
    key = new_key("electronhub-api-key")
    base = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "app.py", PRAGMAS[style].format(key=key))
    rng = ["--range", f"{base}..HEAD"]

    # The owner's checkout and history honour pragmas, as detect-secrets does.
    assert scan_json(run_cli, repo, [], [key])["code"] == 0
    assert scan_json(run_cli, repo, ["--history"], [key])["code"] == 0
    assert scan_json(run_cli, repo, ["--no-trust-pragmas"], [key])["code"] == 1

    assert scan_json(run_cli, repo, rng, [key])["code"] == 1
    assert pre_push(run_cli, repo, [key], "main")["code"] == 1
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0 and "app.py:" in refused.stderr
    assert_no_leak([refused.stdout, refused.stderr], [key])

    # Opting in: the option, or the environment variable (for hooks and CI templates).
    assert scan_json(run_cli, repo, [*rng, "--trust-pragmas"], [key])["code"] == 0
    monkeypatch.setenv("LEAKSTOP_TRUST_PRAGMAS", "1")
    assert scan_json(run_cli, repo, rng, [key])["code"] == 0
    assert pre_push(run_cli, repo, [key], "main")["code"] == 0
    assert scan_json(run_cli, repo, [*rng, "--no-trust-pragmas"], [key])["code"] == 1
    monkeypatch.setenv("LEAKSTOP_TRUST_PRAGMAS", "0")
    assert scan_json(run_cli, repo, [], [key])["code"] == 1
    monkeypatch.delenv("LEAKSTOP_TRUST_PRAGMAS")
    accepted = git_push(repo, "origin", "main", env={"LEAKSTOP_TRUST_PRAGMAS": "yes"})
    assert accepted.returncode == 0, accepted.stderr


def test_nextline_pragma_pushed_earlier_does_not_cover_a_new_key(
    pushed: Repo, run_cli: RunCli
) -> None:
    repo = pushed
    key = new_key("syncline-user-key")
    commit_file(repo, "app.py", "# pragma: allowlist nextline secret\nKEY = None\n")
    repo.git("push", "-q", "origin", "main")
    base = repo.git("rev-parse", "HEAD").strip()
    commit_file(repo, "app.py", f"# pragma: allowlist nextline secret\nKEY = '{key}'\n")
    assert scan_json(run_cli, repo, ["--range", f"{base}..HEAD"], [key])["code"] == 1
    assert pre_push(run_cli, repo, [key], "main")["code"] == 1


def test_bad_trust_pragmas_value_is_a_one_line_error(
    pushed: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAKSTOP_TRUST_PRAGMAS", "maybe")
    outcome = run_cli(["scan"], pushed.path)
    assert outcome.code == 2
    assert outcome.err.count("\n") == 1 and "LEAKSTOP_TRUST_PRAGMAS" in outcome.err


# -- the CI templates -----------------------------------------------------------------------


def test_github_workflow_push_and_pull_request_with_a_smuggled_baseline(
    pushed: Repo, tmp_path: Path
) -> None:
    import yaml

    workflow = yaml.safe_load((PROJECT / "hooks" / "github-actions.yml").read_text())
    step = next(s for s in workflow["jobs"]["leakstop"]["steps"] if s.get("id") == "scan")
    repo = pushed
    key = new_key("electronhub-api-key")
    before = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "pr")
    repo.stage("deploy.env", f"EH={key}\n")
    repo.stage(".secrets.baseline", baseline_json({"deploy.env": [key]}))
    after = repo.commit()
    repo.git("push", "-q", "origin", "pr")
    origin = repo.git("remote", "get-url", "origin").strip()
    events = {
        "push": {"EVENT": "push", "REF": "refs/heads/pr", "BEFORE": before, "AFTER": after},
        "new branch": {"EVENT": "push", "REF": "refs/heads/pr", "BEFORE": ZERO, "AFTER": after},
        "pull request": {"EVENT": "pull_request", "BASE": before, "HEAD": after},
    }
    for name, event in events.items():
        clone = tmp_path / name.replace(" ", "-")
        subprocess.run(["git", "clone", "-q", origin, str(clone)], check=True)
        output = tmp_path / f"{clone.name}.out"
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output),
            **{var: "" for var in step["env"]},
            **event,
        }
        ran = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=clone,
            capture_output=True,
            text=True,
            env=env,
        )
        assert ran.returncode == 0, ran.stderr
        assert "status=1" in output.read_text(), (name, ran.stderr)
        sarif = (clone / "leakstop.sarif").read_text()
        assert "deploy.env" in sarif
        assert_no_leak([ran.stdout, ran.stderr, sarif], [key])


def test_server_administrators_baseline_in_the_bare_repository(server: Path, pushed: Repo) -> None:
    repo = pushed
    key, other = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    (server / ".secrets.baseline").write_text(baseline_json({"deploy.env": [key]}))
    commit_file(repo, "deploy.env", f"EH={key}\n")
    accepted = git_push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    # The pushed baseline still adds nothing to the administrator's.
    repo.stage(".secrets.baseline", baseline_json({"deploy.env": [key, other]}))
    repo.stage("deploy.env", f"EH={key}\nOTHER={other}\n")
    repo.commit()
    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0 and "deploy.env:2" in refused.stderr
    assert "deploy.env:1" not in refused.stderr
    assert_no_leak([accepted.stderr, refused.stderr], [key, other])


def test_pre_push_hook_script_and_pre_commit_variables(
    pushed: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped hooks/pre-push in a real push, and pre-commit's way of handing a range."""
    repo = pushed
    hook = repo.path / ".git" / "hooks" / "pre-push"
    shutil.copy2(PROJECT / "hooks" / "pre-push", hook)
    hook.chmod(0o755)
    key = new_key("scrapebit-api-key")
    before = repo.git("rev-parse", "HEAD").strip()
    repo.stage("svc.env", f"SB={key}\n")
    repo.stage(".secrets.baseline", baseline_json({"svc.env": [key]}))
    after = repo.commit()

    refused = git_push(repo, "origin", "main")
    assert refused.returncode != 0 and "svc.env:1" in refused.stderr + refused.stdout
    assert remote_tip(repo, "refs/heads/main") == before
    assert_no_leak([refused.stdout, refused.stderr], [key])

    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", before)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", after)
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    report = scan_json(run_cli, repo, ["--pre-push"], [key])
    assert (report["code"], hashes(report)) == (1, {hashed_secret(key)})


def test_gitlab_job_with_a_smuggled_baseline(pushed: Repo, tmp_path: Path) -> None:
    import yaml

    job = yaml.safe_load((PROJECT / "hooks" / "gitlab-ci.yml").read_text())["leakstop"]
    script = "\n".join(job["script"])
    repo = pushed
    key = new_key("syncline-user-key")
    before = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "mr")
    repo.stage("app.js", f"const k = '{key}';\n")
    repo.stage(".secrets.baseline", baseline_json({"app.js": [key]}))
    after = repo.commit()
    repo.git("push", "-q", "origin", "mr")
    origin = repo.git("remote", "get-url", "origin").strip()
    events = {
        "push": {"CI_COMMIT_BRANCH": "mr", "CI_COMMIT_BEFORE_SHA": before},
        "merge request": {
            "CI_MERGE_REQUEST_IID": "1",
            "CI_MERGE_REQUEST_DIFF_BASE_SHA": before,
            "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": after,
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        },
    }
    for name, event in events.items():
        clone = tmp_path / name.replace(" ", "-")
        subprocess.run(
            ["git", "clone", "-q", "--single-branch", "--branch", "mr", origin, str(clone)],
            check=True,
        )
        subprocess.run(["git", "checkout", "-q", "--detach", after], cwd=clone, check=True)
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "CI_COMMIT_SHA": after,
            **event,
        }
        ran = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=clone,
            capture_output=True,
            text=True,
            env=env,
        )
        assert ran.returncode == 1, (name, ran.stdout, ran.stderr)
        assert "app.js:1" in ran.stdout, name
        assert_no_leak([ran.stdout, ran.stderr], [key])


def test_symmetric_range_trusts_the_merge_base(pushed: Repo, run_cli: RunCli) -> None:
    repo = pushed
    old, new = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    commit_file(repo, ".secrets.baseline", baseline_json({"f.env": [old]}))
    repo.git("checkout", "-q", "-b", "feature")
    commit_file(repo, "f.env", f"A={old}\nB={new}\n")
    repo.git("checkout", "-q", "main")
    commit_file(repo, ".secrets.baseline", baseline_json({"f.env": [old, new]}), "main side")
    for spec in ("main...feature", "feature...main"):
        report = scan_json(run_cli, repo, ["--range", spec], [old, new])
        assert hashes(report) == {hashed_secret(new)}, spec
    # A..B trusts A as it is: main's baseline accepts both.
    report = scan_json(run_cli, repo, ["--range", "main..feature"], [old, new])
    assert (report["code"], report["findings"]) == (0, [])
