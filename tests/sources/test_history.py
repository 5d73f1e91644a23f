"""`leakstop scan --history` and `--range` on real repositories with branches, merges and tags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, new_key


def _findings(outcome: Any) -> set[tuple[str, str, str, int]]:
    report = json.loads(outcome.out)
    return {(f["commit"], f["hashed_secret"], f["file"], f["line"]) for f in report["findings"]}


def _sha(repo: Repo, rev: str = "HEAD") -> str:
    return repo.git("rev-parse", rev).strip()


def test_history_finds_every_introduction_on_every_ref(repo: Repo, run_cli: RunCli) -> None:
    keys = {name: new_key("electronhub-api-key") for name in ("deleted", "branch", "tag", "merge")}
    keys["ecgrid"] = new_key("ecgrid-api-key")
    repo.stage("README.md", "hello\n")
    repo.commit("root")
    repo.stage("config.py", f'KEY = "{keys["deleted"]}"\n')
    added_deleted = repo.commit("add key")
    repo.stage("config.py", 'KEY = os.environ["KEY"]\n')
    repo.commit("remove key")

    repo.git("checkout", "-q", "-b", "feature")
    repo.stage("feature/app.js", f'const token = "{keys["branch"]}";\n')
    on_branch = repo.commit("feature key")
    repo.git("mv", "feature/app.js", "feature/renamed.js")
    repo.commit("pure rename: no new finding")

    repo.git("checkout", "-q", "--orphan", "tagged")
    repo.git("rm", "-rqf", ".")
    repo.stage("release.env", f"EH={keys['tag']}\n")
    tagged = repo.commit("only reachable through a tag")
    repo.git("tag", "v1", tagged)
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-D", "tagged")

    repo.stage(
        "appsettings.json", '{\n  "ECGrid": {\n    "ApiKey": "' + keys["ecgrid"] + '"\n  }\n}\n'
    )
    on_main = repo.commit("ecgrid settings")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    repo.stage("merge-notes.txt", f"token {keys['merge']}\n")
    repo.commit("evil merge adds a key of its own")

    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=keys.values())
    assert outcome.code == 1
    assert _findings(outcome) == {
        (added_deleted, hashed_secret(keys["deleted"]), "config.py", 1),
        (on_branch, hashed_secret(keys["branch"]), "feature/app.js", 1),
        (tagged, hashed_secret(keys["tag"]), "release.env", 1),
        (on_main, hashed_secret(keys["ecgrid"]), "appsettings.json", 3),
        (_sha(repo), hashed_secret(keys["merge"]), "merge-notes.txt", 1),
    }
    report = json.loads(outcome.out)
    assert report["scan"]["mode"] == "history"
    assert report["scan"]["commits"] == 8
    first = next(f for f in report["findings"] if f["commit"] == added_deleted)
    assert first["author"] == "Test Dev <dev@example.invalid>"
    assert first["date"]


def test_key_re_added_later_is_a_second_introduction(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("a.env", f"SB={key}\n")
    first = repo.commit("add")
    repo.stage("a.env", "SB=\n")
    repo.commit("remove")
    repo.stage("a.env", f"# restored\nSB={key}\n")
    second = repo.commit("re-add")
    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=[key])
    assert _findings(outcome) == {
        (first, hashed_secret(key), "a.env", 1),
        (second, hashed_secret(key), "a.env", 2),
    }


def test_range_scans_only_the_commits_in_it(repo: Repo, run_cli: RunCli) -> None:
    old, new = new_key("syncline-user-key"), new_key("syncline-user-key")
    repo.stage("old.txt", f"{old}\n")
    base = repo.commit("old key")
    repo.stage("new.txt", f"x\n{new}\n")
    head = repo.commit("new key")
    outcome = run_cli(
        ["scan", "--range", f"{base}..{head}", "--format", "json"], repo.path, keys=[old, new]
    )
    assert outcome.code == 1
    assert _findings(outcome) == {(head, hashed_secret(new), "new.txt", 2)}
    text = run_cli(["scan", "--range", f"{base}..{head}"], repo.path, keys=[old, new])
    assert f"commit {head[:12]}" in text.out


def test_empty_range_is_clean(repo: Repo, run_cli: RunCli) -> None:
    repo.stage("a.txt", "a\n")
    repo.commit()
    outcome = run_cli(["scan", "--range", "HEAD..HEAD"], repo.path)
    assert outcome.code == 0


def test_bad_ranges_are_usage_errors(repo: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    repo.stage("a.txt", "a\n")
    repo.commit()
    for spec in ("HEAD", "nope..HEAD", "--all..HEAD"):
        outcome = run_cli(["scan", "--range", spec], repo.path)
        assert outcome.code == 2, spec
        assert outcome.err.startswith("leakstop: error:")
    assert run_cli(["scan", "--history"], tmp_path).code == 2
    assert run_cli(["scan", "--history", "--staged"], repo.path).code == 2
    assert run_cli(["scan", "--history", "x.py"], repo.path).code == 2


def test_history_of_empty_repository(repo: Repo, run_cli: RunCli) -> None:
    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path)
    assert outcome.code == 0
    assert json.loads(outcome.out)["scan"]["commits"] == 0


def test_history_baseline_accepts_known_key(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-proxy-key")
    repo.stage("a.cfg", f"k={key}\n")
    repo.commit()
    baseline = {"results": {"a.cfg": [{"hashed_secret": hashed_secret(key), "line_number": 9}]}}
    repo.write(".secrets.baseline", json.dumps(baseline))
    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=[key])
    assert outcome.code == 0
    assert json.loads(outcome.out)["scan"]["suppressed"] == 1


def test_context_from_unchanged_lines_of_the_file(repo: Repo, run_cli: RunCli) -> None:
    """A zero-context patch hides the `"ECGrid": {` line a key was filled in below: the
    file as the commit left it supplies it. Look-alikes without context stay silent."""
    ecgrid, platform = new_key("ecgrid-api-key"), new_key("syncline-platform-key")
    decoy = new_key("ecgrid-api-key")
    settings = (
        '{\n  "ECGrid": {\n    "Url": "https://rest.ecgrid.io",\n    "ApiKey": "%s"\n  }\n}\n'
    )
    repo.stage("appsettings.json", settings % "")
    repo.stage("syncline.env", "# Syncline platform\nPLATFORM_KEY=\n")
    repo.stage("other.json", '{\n  "Service": {\n    "ApiKey": ""\n  }\n}\n')
    repo.commit("templates")
    repo.stage("appsettings.json", settings % ecgrid)
    repo.stage("syncline.env", f"# Syncline platform\nPLATFORM_KEY={platform}\n")
    repo.stage("other.json", '{\n  "Service": {\n    "ApiKey": "' + decoy + '"\n  }\n}\n')
    filled = repo.commit("fill in keys")
    outcome = run_cli(
        ["scan", "--history", "--format", "json"], repo.path, keys=[ecgrid, platform, decoy]
    )
    assert _findings(outcome) == {
        (filled, hashed_secret(ecgrid), "appsettings.json", 4),
        (filled, hashed_secret(platform), "syncline.env", 2),
    }


def test_text_that_gitattributes_calls_binary_is_scanned(repo: Repo, run_cli: RunCli) -> None:
    added, changed = new_key("scrapebit-api-key"), new_key("electronhub-api-key")
    repo.stage(".gitattributes", "*.env -diff\n*.cfg binary\n")
    repo.stage("old.cfg", "a = 1\n")
    repo.stage("real.bin", b"\x00\x01\x02 binary")
    repo.commit("attributes")
    repo.stage("secrets.env", f"SB={added}\n")
    repo.stage("old.cfg", f"a = 1\nkey = {changed}\n")
    repo.stage("real.bin", b"\x00\x01\x02 still binary")
    head = repo.commit("keys in files git calls binary")
    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=[added, changed])
    assert _findings(outcome) == {
        (head, hashed_secret(added), "secrets.env", 1),
        (head, hashed_secret(changed), "old.cfg", 2),
    }
    skipped = json.loads(outcome.out)["scan"]["skipped"]
    assert skipped == [{"file": "real.bin", "reason": "binary"}]


def test_progress_on_a_terminal_only(repo: Repo, tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    for i in range(3):
        repo.stage(f"f{i}.txt", f"{i}\n")
        repo.commit(f"c{i}")
    argv = [sys.executable, "-m", "leakstop", "scan", "--history", "--format", "json"]
    main, child = pty.openpty()
    with_tty = subprocess.run(argv, cwd=repo.path, stdout=subprocess.PIPE, stderr=child)
    os.close(child)
    screen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(main)
    assert with_tty.returncode == 0
    assert b"leakstop: 3 commits," in screen and b"0 findings so far" in screen
    assert screen.endswith(b"\n")
    assert json.loads(with_tty.stdout)["scan"]["commits"] == 3
    quiet = subprocess.run(argv, cwd=repo.path, capture_output=True)
    assert quiet.returncode == 0 and quiet.stderr == b""


def test_history_and_range_in_a_bare_mirror(repo: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    """A mirror (a bare repository, no work tree) is scanned like its clone."""
    import subprocess

    key, ecgrid = new_key("scrapebit-api-key"), new_key("ecgrid-api-key")
    repo.stage("README.md", "hello\n")
    first = repo.commit("root")
    repo.stage(".env", f"SCRAPEBIT_KEY={key}\n")
    repo.stage("appsettings.json", f'{{"ECGrid": {{"ApiKey": "{ecgrid}"}}}}\n')
    added = repo.commit("settings")
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo.path), str(mirror)], check=True)
    expected = {
        (added, hashed_secret(key), ".env", 1),
        (added, hashed_secret(ecgrid), "appsettings.json", 1),
    }
    for args in (["--history"], ["--range", f"{first}..main"]):
        outcome = run_cli(["scan", *args, "--format", "json"], mirror, keys=[key, ecgrid])
        assert outcome.code == 1, outcome.err
        assert _findings(outcome) == expected
    outside = run_cli(["scan", "--history"], tmp_path, keys=[key, ecgrid])
    assert outside.code == 2 and "is not inside a git repository" in outside.err
