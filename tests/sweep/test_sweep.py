"""`leakstop sweep` and `leakstop merge` over real repositories: local paths and file:// URLs
(mirrored into the cache), broken and empty ones, incremental re-runs, shards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.secrets_text import hashed_secret
from leakstop.simulator import SimulatorControl
from leakstop.sweep import report as sweep_report
from leakstop.sweep import state as sweep_state
from leakstop.sweep import targets
from leakstop.sweep.cache import Cache, default_dir
from leakstop.sweep.forge import commit_link
from tests.testing import (
    Repo,
    RunCli,
    assert_no_leak,
    commit_file,
    init_repo,
    new_key,
    report_of,
    run_sweep,
)


def _repos(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(r["repository"]).name: r for r in report["repositories"]}


def _break(repo: Repo) -> None:
    """A repository whose refs point at objects that are gone."""
    for child in (repo.path / ".git" / "objects").iterdir():
        if len(child.name) == 2:
            shutil.rmtree(child)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_sweep_reports_every_key_once_and_names_the_broken_repository(
    tmp_path: Path, cache: Path, run_cli: RunCli
) -> None:
    keys = {
        "main": new_key("electronhub-api-key"),
        "branch": new_key("scrapebit-api-key"),
        "second": new_key("syncline-user-key"),
    }
    alpha = init_repo(tmp_path / "alpha")
    commit_file(alpha, "config.env", f"EH={keys['main']}\n")
    commit_file(alpha, "config.env", "EH=\n")
    beta = init_repo(tmp_path / "beta")
    commit_file(beta, "README.md", "hello\n")
    beta.git("checkout", "-q", "-b", "feature/not-default")
    on_branch = commit_file(beta, "deep/dir/app.py", f'SB = "{keys["branch"]}"\n')
    commit_file(beta, "more.env", f"# added later\nSYNCLINE={keys['second']}\n")
    beta.git("checkout", "-q", "main")
    init_repo(tmp_path / "empty")
    broken = init_repo(tmp_path / "broken")
    commit_file(broken, "a.txt", "a\n")
    _break(broken)
    (tmp_path / "plain-dir").mkdir()

    outcome = run_sweep(
        run_cli,
        tmp_path,
        cache,
        "alpha",
        "beta",
        "empty",
        "broken",
        "plain-dir",
        "--format",
        "json",
        "-j",
        "2",
        keys=keys.values(),
    )
    assert outcome.code == 1
    report = report_of(outcome)
    assert report["version"] == 1 and report["scan"]["mode"] == "sweep"
    found = sorted((Path(f["repository"]).name, f["hashed_secret"]) for f in report["findings"])
    assert found == sorted(
        [
            ("alpha", hashed_secret(keys["main"])),
            ("beta", hashed_secret(keys["branch"])),
            ("beta", hashed_secret(keys["second"])),
        ]
    )
    branch = next(f for f in report["findings"] if f["file"] == "deep/dir/app.py")
    assert (branch["commit"], branch["line"], branch["author"]) == (
        on_branch,
        1,
        "Test Dev <dev@example.invalid>",
    )
    repos = _repos(report)
    assert {n: r["status"] for n, r in repos.items()} == {
        "alpha": "ok",
        "beta": "ok",
        "empty": "empty",
        "broken": "failed",
        "plain-dir": "failed",
    }
    assert "bad object" in repos["broken"]["reason"]
    assert repos["plain-dir"]["reason"] == "not a git repository"
    assert (repos["alpha"]["commits"], repos["beta"]["new_commits"]) == (2, 3)
    assert repos["beta"]["findings"] == 2
    assert report["scan"]["commits"] == 5
    assert f"not swept: {tmp_path / 'broken'}: " in outcome.err
    assert "3 finding(s) in 5 repositories, 2 could not be swept" in outcome.err
    # Nothing the cache holds carries a key.
    assert_no_leak([p.read_text() for p in cache.glob("*.json")], keys.values())


def test_rerun_scans_only_the_new_commit(
    tmp_path: Path, cache: Path, run_cli: RunCli, repo: Repo
) -> None:
    old, new = new_key("scrapebit-api-key"), new_key("electronhub-api-key")
    for i in range(4):
        commit_file(repo, f"f{i}.txt", f"{i}\n")
    first_key = commit_file(repo, "keys.env", f"SB={old}\n")
    url = repo.path.as_uri()
    args = ("--format", "json", str(repo.path), url)
    first = report_of(run_sweep(run_cli, tmp_path, cache, *args, keys=[old]))
    assert {r["source"]: r["new_commits"] for r in first["repositories"]} == {
        "local": 5,
        "remote": 5,
    }
    assert len(list(cache.glob("*.git"))) == 1

    added = commit_file(repo, "later.env", f"EH={new}\n")
    second = report_of(run_sweep(run_cli, tmp_path, cache, *args, keys=[old, new]))
    assert second["scan"]["commits"] == 2
    for repository in second["repositories"]:
        assert (repository["new_commits"], repository["commits"]) == (1, 6)
    by_repo = {(f["repository"], f["commit"]) for f in second["findings"]}
    assert by_repo == {(name, sha) for name in (str(repo.path), url) for sha in (first_key, added)}

    unchanged = report_of(run_sweep(run_cli, tmp_path, cache, *args, keys=[old, new]))
    assert unchanged["scan"]["commits"] == 0
    assert unchanged["findings"] == second["findings"]
    again = report_of(run_sweep(run_cli, tmp_path, cache, *args, "--rescan", keys=[old, new]))
    assert again["scan"]["commits"] == 12
    assert again["findings"] == second["findings"]


def test_rewritten_history_and_stale_state(tmp_path: Path, cache: Path, run_cli: RunCli) -> None:
    repo = init_repo(tmp_path / "r")
    key = new_key("syncline-user-key")
    commit_file(repo, "a.txt", "a\n")
    commit_file(repo, "s.env", f"SYNCLINE={key}\n")
    args = ("--format", "json", str(repo.path))
    assert report_of(run_sweep(run_cli, tmp_path, cache, *args, keys=[key]))["scan"]["commits"] == 2
    # Rewrite the tip (force-push style) and let the old tip's objects go.
    repo.git("commit", "-q", "--amend", "-m", "reworded")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    rewritten = report_of(run_sweep(run_cli, tmp_path, cache, *args, keys=[key]))
    # The old tip is gone: what it reached is scanned again, without doubling any finding.
    assert rewritten["scan"]["commits"] == 2
    assert len(rewritten["findings"]) == 2  # the key's old and new introducing commits

    state_file = next(cache.glob("r-*.json"))
    data = json.loads(state_file.read_text())
    data["rules"] = "0" * 16
    state_file.write_text(json.dumps(data))
    assert report_of(run_sweep(run_cli, tmp_path, cache, *args, keys=[key]))["scan"]["commits"] == 2
    state_file.write_text("{not json")
    assert report_of(run_sweep(run_cli, tmp_path, cache, *args, keys=[key]))["scan"]["commits"] == 2
    data = json.loads(state_file.read_text())
    data["findings"] = [{"provider": "x"}]
    state_file.write_text(json.dumps(data))
    assert sweep_state.load(state_file) is None
    state_file.write_text("[1]")
    assert sweep_state.load(state_file) is None


def test_failed_repository_keeps_its_earlier_findings(
    tmp_path: Path, cache: Path, run_cli: RunCli
) -> None:
    repo = init_repo(tmp_path / "gone")
    key = new_key("electronhub-api-key")
    commit_file(repo, "k.env", f"EH={key}\n")
    assert run_sweep(run_cli, tmp_path, cache, "gone", keys=[key]).code == 1
    shutil.rmtree(repo.path)
    outcome = run_sweep(run_cli, tmp_path, cache, "gone", "--format", "json", keys=[key])
    report = report_of(outcome)
    assert report["repositories"][0]["status"] == "failed"
    assert report["repositories"][0]["reason"] == "no such directory"
    assert report["repositories"][0]["commits"] == 1
    assert [f["hashed_secret"] for f in report["findings"]] == [hashed_secret(key)]


def test_exit_codes(tmp_path: Path, cache: Path, run_cli: RunCli) -> None:
    clean = init_repo(tmp_path / "clean")
    commit_file(clean, "a.txt", "nothing here\n")
    outcome = run_sweep(run_cli, tmp_path, cache, "clean")
    assert outcome.code == 0
    assert "0 API key finding(s) in 0 of 1 repositories." in outcome.out
    # A repository that could not be swept is not a clean sweep, unless told otherwise.
    assert run_sweep(run_cli, tmp_path, cache, "clean", "missing").code == 1
    tolerant = run_sweep(run_cli, tmp_path, cache, "clean", "missing", "--ignore-errors")
    assert tolerant.code == 0
    assert "FAILED: no such directory" in tolerant.out

    (tmp_path / "afile").write_text("")
    for args in (
        [],
        ["clean", "--shard", "3/2"],
        ["clean", "--shard", "x"],
        ["clean", "--yes"],
        ["ext::sh -c touch% /tmp/pwned"],
        ["ftp://example.com/repo.git"],
        ["https://example.com"],
        ["host:"],
        ["file://otherhost/repo"],
        ["https://example.com:99999/x"],
        ["--list", "missing.txt"],
        ["clean", "--cache", str(tmp_path / "afile" / "cache")],
    ):
        outcome = run_cli(["sweep", "--cache", str(cache), *args], tmp_path)
        assert outcome.code == 2, args
        assert outcome.err.startswith("leakstop: error:") and outcome.err.count("\n") == 1, args
    assert not Path("/tmp/pwned").exists()


def test_list_files_targets_and_identities(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "repos.txt").write_text(
        "# the team's repositories\n"
        "\n"
        "../alpha   # relative to this file\n"
        "https://ghp_secret123@github.com/Acme/App.git\n"
        "git@github.com:Acme/App\n"
        "ssh://git@gitlab.com:22/grp/sub/proj.git/\n"
        "ssh://git:pw@gitlab.com:2222/grp/other.git\n"
        "file:///srv/git/x.git\n"
    )
    found = targets.collect([str(lists / "repos.txt"), "alpha"], [], tmp_path)
    assert [t.name for t in found] == [
        str(tmp_path / "alpha"),
        "file:///srv/git/x.git",
        "https://github.com/Acme/App.git",
        "ssh://git@gitlab.com:22/grp/sub/proj.git/",
        "ssh://git@gitlab.com:2222/grp/other.git",
    ]
    identities = {t.identity for t in found}
    assert "github.com/Acme/App" in identities  # https and scp spellings are one repository
    assert "gitlab.com:2222/grp/other" in identities
    assert all("secret123" not in t.name and "pw" not in t.name for t in found)
    assert [t.remote for t in found] == [False, True, True, True, True]
    assert found[0].slug.startswith("alpha-") and len(found[0].slug) == 6 + 16
    assert targets.parse("https://h.example/a/b/", tmp_path).slug.startswith("b-")

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("alpha\n# c\n"))
    assert [t.name for t in targets.read_list("-", tmp_path)] == [str(tmp_path / "alpha")]
    (lists / "bad.txt").write_text("ok\nftp://x/y\n")
    with pytest.raises(LeakstopError, match=r"bad.txt:2: .*unsupported URL scheme"):
        targets.read_list(str(lists / "bad.txt"), tmp_path)
    with pytest.raises(LeakstopError, match="empty"):
        targets.parse("  ", tmp_path)
    with pytest.raises(LeakstopError, match="not a valid URL"):
        targets.parse("https://[::1/x", tmp_path)


def test_shards_are_a_partition_and_stable() -> None:
    names = [f"https://example.com/org/repo{i}" for i in range(60)]
    found = [targets.parse(n, Path("/")) for n in names]
    for count in (1, 2, 3, 7):
        shards = [[t for t in found if targets.in_shard(t, i, count)] for i in range(1, count + 1)]
        assert sorted(t.name for s in shards for t in s) == sorted(names)
        if count > 1:
            assert all(shards), "60 repositories leave no shard of up to 7 empty"
    assert targets.parse_shard(" 2 / 5 ") == (2, 5)
    # The same repository lands in the same shard whatever else is on the list.
    one = targets.parse("git@example.com:org/repo7.git", Path("/"))
    assert [targets.in_shard(one, i, 3) for i in (1, 2, 3)] == [
        targets.in_shard(found[7], i, 3) for i in (1, 2, 3)
    ]


def test_sharded_sweeps_merge_into_the_unsharded_sweep(
    tmp_path: Path, cache: Path, run_cli: RunCli
) -> None:
    keys = []
    for i in range(6):
        repo = init_repo(tmp_path / f"repo{i}")
        key = new_key("electronhub-api-key" if i % 2 else "scrapebit-test-key")
        keys.append(key)
        commit_file(repo, "a.txt", f"{i}\n")
        if i != 3:
            commit_file(repo, f"dir{i}/k.env", f"KEY={key}\n")
    (tmp_path / "repos.txt").write_text("".join(f"repo{i}\n" for i in range(6)) + "missing-repo\n")
    whole = run_sweep(
        run_cli, tmp_path, cache, "--list", "repos.txt", "--format", "json", keys=keys
    )
    assert whole.code == 1
    count = 3
    paths = []
    for index in range(1, count + 1):
        path = tmp_path / f"shard{index}.json"
        outcome = run_sweep(
            run_cli,
            tmp_path,
            tmp_path / f"cache{index}",
            "--list",
            "repos.txt",
            "--shard",
            f"{index}/{count}",
            "--format",
            "json",
            "-o",
            str(path),
            keys=keys,
        )
        assert outcome.out == ""
        assert json.loads(path.read_text())["scan"]["shard"] == {"index": index, "count": count}
        paths.append(str(path))
    merged = run_cli(["merge", *reversed(paths)], tmp_path, keys=keys)
    assert merged.code == 1

    def comparable(text: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(text)
        del data["scan"]["seconds"], data["scan"]["started"]
        return data

    assert comparable(merged.out) == comparable(whole.out)
    assert len(json.loads(merged.out)["findings"]) == 5

    # The merge can render the report for people, too.
    csv = run_cli(["merge", *paths, "--format", "csv"], tmp_path, keys=keys)
    assert csv.out.startswith("\ufeffrepository,provider,")
    assert len(csv.out.strip().splitlines()) == 6

    missing = run_cli(["merge", paths[0], paths[2]], tmp_path)
    assert missing.code == 2 and "shard(s) 2/3 missing" in missing.err
    partial = run_cli(["merge", paths[0], paths[2], "--partial", "--ignore-errors"], tmp_path)
    assert partial.code in (0, 1)
    assert run_cli(["merge", paths[0], paths[0]], tmp_path).code == 2


def test_merge_refuses_what_it_cannot_join(tmp_path: Path, cache: Path, run_cli: RunCli) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")
    one = tmp_path / "one.json"
    run_sweep(run_cli, tmp_path, cache, "r", "--format", "json", "-o", str(one))
    report = json.loads(one.read_text())
    cases: dict[str, Any] = {
        "not-json.json": "{",
        "scan.json": {"version": 1, "scan": {"mode": "history"}, "findings": []},
        "version.json": {**report, "version": 2},
        "counts.json": {**report, "scan": {**report["scan"], "commits": "many"}},
        "skipped.json": {**report, "scan": {**report["scan"], "skipped": {}}},
        "findings.json": {**report, "findings": [{"file": "x"}]},
        "shard.json": {**report, "scan": {**report["scan"], "shard": "1/2"}},
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        outcome = run_cli(["merge", str(path)], tmp_path)
        assert outcome.code == 2, name
        assert outcome.err.startswith("leakstop: error:"), name
    assert run_cli(["merge", str(tmp_path / "nope.json")], tmp_path).code == 2
    overlap = run_cli(["merge", str(one), str(one)], tmp_path)
    assert overlap.code == 2 and "is in both" in overlap.err
    split = [
        dict(report, scan={**report["scan"], "shard": {"index": n - 1, "count": n}}) for n in (2, 3)
    ]
    for i, data in enumerate(split):
        (tmp_path / f"s{i}.json").write_text(json.dumps(data))
    mixed = run_cli(["merge", str(tmp_path / "s0.json"), str(tmp_path / "s1.json")], tmp_path)
    assert mixed.code == 2 and "different splits" in mixed.err
    again = run_cli(["merge", "-", "--format", "text"], tmp_path, stdin=one.read_text())
    assert again.code == 0 and "0 API key finding(s)" in again.out
    with pytest.raises(LeakstopError, match="nothing to merge"):
        sweep_report.merge_reports([])


def test_remote_failures_are_reported_without_credentials(
    tmp_path: Path, cache: Path, run_cli: RunCli
) -> None:
    repo = init_repo(tmp_path / "ok")
    commit_file(repo, "a.txt", "a\n")
    outcome = run_sweep(
        run_cli,
        tmp_path,
        cache,
        "ok",
        (tmp_path / "no-such-remote").as_uri(),
        "https://user:hunter2secret@127.0.0.1:9/repo.git",
        "--format",
        "json",
        "--timeout",
        "30",
    )
    assert outcome.code == 1
    report = report_of(outcome)
    statuses = {r["repository"]: r["status"] for r in report["repositories"]}
    assert statuses[str(repo.path)] == "ok"
    assert list(statuses.values()).count("failed") == 2
    assert "hunter2secret" not in outcome.out + outcome.err
    assert "https://127.0.0.1:9/repo.git" in statuses
    assert not list(cache.glob(".*")), "no half-cloned mirror is left behind"


def test_remote_commands_time_out_and_are_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "alias.hang")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "!sleep 30")
    started = time.monotonic()
    with pytest.raises(LeakstopError, match=r"git hang took longer than 0\.5 s"):
        git.run_remote(["hang"], tmp_path, timeout=0.5)
    assert time.monotonic() - started < 10
    with pytest.raises(LeakstopError, match="git nope failed"):
        git.run_remote(["nope"], tmp_path, timeout=10)
    with pytest.raises(LeakstopError, match=r"git rev-list failed: .*not a git repository"):
        git.run(["rev-list", "--stdin"], tmp_path, data=b"")


def test_git_missing_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for call in (
        lambda: git.run_remote(["status"], tmp_path, 5),
        lambda: git.run(["status"], tmp_path, data=b""),
    ):
        with pytest.raises(LeakstopError, match="git is not installed"):
            call()


def test_local_paths_must_be_a_repository_top(tmp_path: Path, cache: Path, run_cli: RunCli) -> None:
    repo = init_repo(tmp_path / "work")
    key = new_key("electronhub-api-key")
    commit_file(repo, "sub/k.env", f"EH={key}\n")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    (tmp_path / "afile.txt").write_text("")
    outcome = run_sweep(
        run_cli,
        tmp_path,
        cache,
        "work/sub",
        "bare.git",
        "bare.git/refs",
        "work/.git",
        "--list",
        "-",
        "--format",
        "json",
        keys=[key],
    )
    report = report_of(outcome)
    reasons = {
        Path(r["repository"]).name: (r["status"], r["reason"]) for r in report["repositories"]
    }
    assert reasons["sub"] == ("failed", "the subdirectory sub of a repository, not its top")
    assert reasons["bare.git"] == ("ok", None)
    assert reasons[".git"] == ("ok", None)
    assert reasons["refs"][0] == "failed" and "inside the git directory" in reasons["refs"][1]
    link = targets.parse(str(tmp_path / "afile.txt"), tmp_path)
    from leakstop.sweep.run import local_root

    with pytest.raises(LeakstopError, match="not a directory"):
        local_root(Path(link.location))


def test_another_sweep_holds_the_repository(tmp_path: Path, cache: Path, run_cli: RunCli) -> None:
    repo = init_repo(tmp_path / "busy")
    commit_file(repo, "a.txt", "a\n")
    store = Cache(cache)
    target = targets.parse("busy", tmp_path)
    with store.locked(target):
        outcome = run_sweep(run_cli, tmp_path, cache, "busy", "--format", "json")
    assert outcome.code == 1
    assert "another leakstop sweep" in report_of(outcome)["repositories"][0]["reason"]


def test_default_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_dir() == tmp_path / "xdg" / "leakstop" / "mirrors"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_dir() == Path.home() / ".cache" / "leakstop" / "mirrors"
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")
    assert run_cli(["sweep", "r"], tmp_path).code == 0
    assert list((Path.home() / ".cache" / "leakstop" / "mirrors").glob("r-*.json"))


def test_mirror_follows_a_new_spelling_and_a_lost_mirror_is_cloned_again(
    tmp_path: Path, cache: Path, run_cli: RunCli
) -> None:
    origin = init_repo(tmp_path / "origin")
    commit_file(origin, "a.txt", "a\n")
    url = origin.path.as_uri()
    assert run_sweep(run_cli, tmp_path, cache, url).code == 0
    mirror = next(cache.glob("origin-*.git"))
    # Same repository spelled differently: same cache entry, fetched from today's spelling.
    commit_file(origin, "b.txt", "b\n")
    assert run_sweep(run_cli, tmp_path, cache, url + "/").code == 0
    assert git.run(["config", "remote.origin.url"], mirror).decode().strip() == url + "/"
    (mirror / "HEAD").unlink()
    outcome = run_sweep(run_cli, tmp_path, cache, url, "--format", "json")
    assert report_of(outcome)["repositories"][0]["new_commits"] == 0
    assert (mirror / "HEAD").is_file()


def test_forge_commit_links() -> None:
    cases = {
        "https://github.com/acme/app.git": "https://github.com/acme/app/commit/",
        "git@github.com:acme/app.git": "https://github.com/acme/app/commit/",
        "ssh://git@www.github.com/acme/app": "https://github.com/acme/app/commit/",
        "https://gitlab.com/grp/sub/proj.git": "https://gitlab.com/grp/sub/proj/-/commit/",
        "git@bitbucket.org:team/repo.git": "https://bitbucket.org/team/repo/commits/",
        "https://token@github.com/acme/app": "https://github.com/acme/app/commit/",
    }
    for url, link in cases.items():
        assert commit_link(url) == link, url
    for url in (
        None,
        "",
        "https://example.com/acme/app",
        "https://github.com/acme",
        "https://github.com/acme/app/extra",
        "https://github.com/acme/<script>",
        "https://github.com/acme/..",
        "ftp://github.com/acme/app",
        "https://[::1/x",
        "/local/path",
    ):
        assert commit_link(url) is None, url


def test_text_report_lists_findings_by_repository(
    tmp_path: Path, cache: Path, run_cli: RunCli
) -> None:
    repo = init_repo(tmp_path / "r")
    key = new_key("scrapebit-api-key")
    commit_file(repo, "image.bin", b"\x00\x01binary\n")
    commit_file(repo, "k.env", f"SB={key}\n")
    outcome = run_sweep(run_cli, tmp_path, cache, "r", keys=[key])
    assert outcome.code == 1
    assert f"{tmp_path / 'r'}  [2 new commit(s) scanned, 2 in all]" in outcome.out
    assert "k.env:1:4  Scrapebit API Key  sb_live_" in outcome.out
    assert "Not scanned (1):" in outcome.out
    again = run_sweep(run_cli, tmp_path, cache, "r", "--format", "json", keys=[key])
    skipped = report_of(again)["scan"]["skipped"]
    assert skipped == [{"repository": str(tmp_path / "r"), "file": "image.bin", "reason": "binary"}]


# -- --verify / --rotate across the sweep (the provider simulator, never a real host) ------
def _statuses(report: dict[str, Any], field: str) -> dict[tuple[str, str], Any]:
    return {
        (Path(f["repository"]).name, f["provider"]): (
            f.get(field, {}).get("status") if field == "rotation" else f.get(field)
        )
        for f in report["findings"]
    }


def test_verify_then_rotate_live_keys_across_repositories(
    tmp_path: Path, cache: Path, run_cli: RunCli, control: SimulatorControl
) -> None:
    eh = control.create_account("electronhub", "master").key
    sb = control.create_account("scrapebit", "live").key
    dead = control.create_account("syncline", "user").key
    control.revoke(dead)
    gone = control.create_account("ecgrid", "api").key
    one = init_repo(tmp_path / "one")
    commit_file(one, ".env", f"EH_KEY={eh}\nSB_KEY={sb}\n")
    two = init_repo(tmp_path / "two")
    commit_file(two, "settings.env", f"# shared\nELECTRONHUB={eh}\nSYNCLINE_KEY={dead}\n")
    three = init_repo(tmp_path / "three")
    commit_file(three, "ecgrid.env", f"ECGRID_API_KEY={gone}\n")
    keys = [eh, sb, dead, gone]
    base = ("one", "two", "three", "--format", "json", "--call-interval", "0")

    first = run_sweep(run_cli, tmp_path, cache, *base, "--verify", keys=keys)
    verified = _statuses(report_of(first), "verified")
    assert verified == {
        ("one", "electronhub"): "live",
        ("one", "scrapebit"): "live",
        ("two", "electronhub"): "live",
        ("two", "syncline"): "invalid",
        ("three", "ecgrid"): "live",
    }
    checks = [c for c in control.calls() if c["call"] in ("check", "me")]
    assert len(checks) == 4, "the key both repositories hold is checked once"
    assert "checked 4 distinct key(s): 3 live, 1 invalid, 0 unknown" in first.err

    # A re-run scans nothing new: the keys are read back from the repositories. One of
    # them has disappeared since, so its key cannot be read back and is left alone.
    shutil.rmtree(three.path)
    unread = report_of(run_sweep(run_cli, tmp_path, cache, *base, "--verify", keys=keys))
    assert _statuses(unread, "verified")[("three", "ecgrid")] == "unknown"
    control.clear_calls()
    dry = run_sweep(run_cli, tmp_path, cache, *base, "--rotate", "--dry-run", keys=keys)
    assert set(_statuses(report_of(dry), "rotation").values()) == {
        "dry_run",
        "already_invalid",
        "skipped",
    }
    assert not [c for c in control.calls() if c["call"] == "rotate"]

    second = run_sweep(run_cli, tmp_path, cache, *base, "--rotate", "--yes", keys=keys)
    report = report_of(second)
    assert report["scan"]["commits"] == 0
    assert _statuses(report, "rotation") == {
        ("one", "electronhub"): "rotated",
        ("one", "scrapebit"): "rotated",
        ("two", "electronhub"): "rotated",
        ("two", "syncline"): "already_invalid",
        ("three", "ecgrid"): "skipped",
    }
    assert _statuses(report, "verified")[("three", "ecgrid")] == "unknown"
    assert "1 could not be read back from their repository" in second.err
    rotated = [c for c in control.calls() if c["call"] == "rotate"]
    assert sorted(c["provider"] for c in rotated) == ["electronhub", "scrapebit"]
    new_keys = [
        p.read_text().strip()
        for p in (Path(os.environ["XDG_STATE_HOME"]) / "leakstop" / "keys").glob("*.key")
    ]
    assert len(new_keys) == 2
    assert_no_leak([second.out, second.err, *(p.read_text() for p in cache.glob("*.json"))], keys)
    assert_no_leak([second.out, second.err], new_keys)


def test_rotation_needs_yes_off_a_terminal_and_unread_keys_stay_unknown(
    tmp_path: Path, cache: Path, run_cli: RunCli, control: SimulatorControl
) -> None:
    eh = control.create_account("electronhub", "master").key
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.env", f"EH={eh}\n")
    outcome = run_sweep(
        run_cli, tmp_path, cache, "r", "--rotate", "--call-interval", "0", keys=[eh]
    )
    assert outcome.code == 2 and "--yes" in outcome.err
    clean = init_repo(tmp_path / "clean")
    commit_file(clean, "a.txt", "a\n")
    assert run_sweep(run_cli, tmp_path, cache, "clean", "--verify").code == 0
    unknown = new_key("scrapebit-api-key")  # no such account: the provider rejects it
    dead = init_repo(tmp_path / "dead")
    commit_file(dead, "a.env", f"SB={unknown}\n")
    outcome = run_sweep(
        run_cli,
        tmp_path,
        cache,
        "dead",
        "--rotate",
        "--yes",
        "--call-interval",
        "0",
        "--format",
        "json",
        keys=[unknown],
    )
    assert _statuses(report_of(outcome), "rotation") == {("dead", "scrapebit"): "already_invalid"}
    assert not [c for c in control.calls() if c["call"] == "rotate"]
    inside = run_sweep(
        run_cli,
        tmp_path,
        cache,
        "r",
        "--rotate",
        "--yes",
        "--deliver",
        f"file:{repo.path}/k",
        keys=[eh],
    )
    assert inside.code == 2 and "inside the repository" in inside.err


def test_pacer_keeps_an_interval_per_provider_and_backs_off_after_429(
    control: SimulatorControl,
) -> None:
    from leakstop.findings import Finding
    from leakstop.providers import get_rule
    from leakstop.rotation.engine import Engine, Target
    from leakstop.sweep.triage import MAX_BACKOFF, Pacer

    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = Pacer(2.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait("a")
    pacer.wait("b")
    pacer.wait("a")  # two seconds after the first call to "a"
    pacer.wait("b")  # "b" waited those two seconds too
    now[0] += 0.5
    pacer.wait("b")
    assert slept == [2.0, 1.5]
    pacer.back_off("a", 10_000)
    pacer.wait("a")
    assert slept[-1] == pytest.approx(MAX_BACKOFF, abs=0.01)

    key = control.create_account("scrapebit", "live").key
    control.add_fault("status", key=key, call="check", status=429, seconds=7)
    engine = Engine(pacer=Pacer(0.0, clock=lambda: now[0], sleep=sleep))
    rule = get_rule("scrapebit-api-key")
    target = Target(rule, key, [Finding(rule=rule, file="f", line=1, column=1, secret=key)])
    try:
        assert engine.verify(target) == "unknown"
        before = len(slept)
        assert engine.verify(target) == "live"
    finally:
        engine.close()
    assert slept[before:] == [7.0]


def test_triage_helpers(tmp_path: Path, repo: Repo) -> None:
    from leakstop.detect.engine import Detector
    from leakstop.findings import Finding
    from leakstop.providers import all_rules, get_rule
    from leakstop.report.records import FindingRecord
    from leakstop.sweep.triage import not_live, read_back, round_robin

    key = new_key("scrapebit-api-key")
    sha = commit_file(repo, "k.env", f"SB={key}\n")
    detector = Detector(all_rules())
    record = FindingRecord(
        "scrapebit-api-key", "k.env", commit=sha, hashed_secret=hashed_secret(key)
    )
    assert read_back(repo.path, record, detector) == key
    assert read_back(repo.path, replace(record, hashed_secret="0" * 40), detector) is None
    assert read_back(repo.path, replace(record, file="nope"), detector) is None
    assert read_back(repo.path, replace(record, commit=None), detector) is None
    assert read_back(None, record, detector) is None

    def finding(rule_id: str, verified: str, line: int = 1) -> Finding:
        rule = get_rule(rule_id)
        made = Finding(rule=rule, file="f", line=line, column=1, secret=new_key(rule_id))
        made.verified = verified
        return made

    assert not_live(finding("electronhub-proxy-key", "invalid"))["status"] == "not_rotatable"
    assert not_live(finding("electronhub-api-key", "invalid"))["status"] == "already_invalid"
    assert not_live(finding("electronhub-api-key", "unknown"))["status"] == "skipped"
    mixed = [finding("electronhub-api-key", "live", n) for n in (1, 2, 3)]
    mixed.append(finding("scrapebit-api-key", "live"))
    assert [f.provider for f in round_robin(mixed)] == [
        "electronhub",
        "scrapebit",
        "electronhub",
        "electronhub",
    ]


def test_sweep_text_report_and_merge_edges() -> None:
    from leakstop.report.reader import parse
    from leakstop.report.sweep_text import render

    report = {
        "version": 1,
        "scan": {"mode": "sweep", "commits": 0, "skipped": []},
        "repositories": [
            {"repository": "e", "status": "empty"},
            {"repository": "r", "status": "ok", "commits": 1, "new_commits": 1},
        ],
        "findings": [
            {
                "repository": "r",
                "rule": "electronhub-api-key",
                "file": "f",
                "line": 1,
                "column": 2,
                "redacted": "ek-ab…cd",
                "commit": None,
                "verified": "live",
                "rotation": {"status": "dry_run", "detail": "would call GET …"},
            }
        ],
    }
    text = render(parse(report, "the report"))
    assert "e  [empty (no commits)]" in text
    assert "f:1:2  ElectronHub API Key  ek-ab…cd  [live]" in text
    assert "rotation: dry_run: would call GET …" in text
    merged = sweep_report.merge_reports([("a", sweep_report.read(report, "a"))]).to_json()
    assert merged["scan"]["started"] is None and merged["findings"] == report["findings"]


def test_state_that_cannot_be_written_fails_the_repository(
    tmp_path: Path, cache: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")

    def refuse(*_args: Any) -> None:
        raise OSError(28, "No space left on device", "state.json")

    monkeypatch.setattr("leakstop.sweep.state.os.replace", refuse)
    outcome = run_sweep(run_cli, tmp_path, cache, "r", "--format", "json")
    assert report_of(outcome)["repositories"][0]["reason"] == "No space left on device: state.json"
    assert not list(cache.glob(".state.*")), "the temporary file is removed"
    monkeypatch.undo()
    state_file = tmp_path / "s.json"
    sweep_state.save(state_file, "r", sweep_state.RepoState())
    data = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**data, "findings": [1]}))
    assert sweep_state.load(state_file) is None


def test_a_commit_git_does_not_show_fails_the_repository(
    tmp_path: Path, cache: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leakstop.sources.revisions import RevisionScan

    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")
    monkeypatch.setattr(
        "leakstop.sources.revisions.scan_revisions", lambda *_a, **_k: RevisionScan()
    )
    outcome = run_sweep(run_cli, tmp_path, cache, "r", "--format", "json")
    assert report_of(outcome)["repositories"][0]["reason"] == "git showed 0 of 1 commits"


def test_report_that_cannot_be_written(tmp_path: Path, cache: Path, run_cli: RunCli) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")
    outcome = run_sweep(run_cli, tmp_path, cache, "r", "-o", str(tmp_path / "no" / "such" / "x"))
    assert outcome.code == 2 and "cannot write report" in outcome.err


def test_ctrl_c_stops_clones_running_in_their_own_session(
    tmp_path: Path, cache: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "alias.hang")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "!sleep 30")
    errors: list[str] = []

    def hang() -> None:
        try:
            git.run_remote(["hang"], tmp_path, timeout=60)
        except LeakstopError as exc:
            errors.append(str(exc))

    worker = threading.Thread(target=hang)
    worker.start()
    deadline = time.monotonic() + 10
    while not git._REMOTE_COMMANDS and time.monotonic() < deadline:
        time.sleep(0.01)
    git.stop_remote_commands()
    worker.join(timeout=10)
    assert errors == ["git hang was stopped"]

    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")

    def interrupted(_result: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("leakstop.sweep.run.summary", interrupted)
    outcome = run_sweep(run_cli, tmp_path, cache, "r")
    assert outcome.code == 2 and outcome.err.strip() == "leakstop: aborted"


def test_triage_problems_are_found_before_the_sweep(
    tmp_path: Path, cache: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")
    monkeypatch.setenv("LEAKSTOP_SCRAPEBIT_URL", "http://provider.example")
    outcome = run_sweep(run_cli, tmp_path, cache, "r", "--verify")
    assert outcome.code == 2 and "loopback" in outcome.err
    monkeypatch.delenv("LEAKSTOP_SCRAPEBIT_URL")
    for args in (["--rotate"], ["--rotate", "--yes", "--deliver", "bogus:x"]):
        outcome = run_sweep(run_cli, tmp_path, cache, "r", *args)
        assert outcome.code == 2, args
    assert not list(cache.glob("*.json")), "nothing was swept"
