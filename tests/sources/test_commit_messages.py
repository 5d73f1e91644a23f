"""Keys pasted into commit messages and annotated tag messages are found in every mode that
reads commits: reported in the file `<commit message>` / `<tag message: NAME>`, at their line
in the message, with the commit (or tag object) that carries them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leakstop.secrets_text import hashed_secret
from leakstop.simulator import SimulatorControl
from tests.testing import Repo, RunCli, all_modes, new_key

MESSAGE = "<commit message>"


def _found(report: dict[str, Any]) -> set[tuple[str, str, int, int, str | None]]:
    return {
        (f["hashed_secret"], f["file"], f["line"], f["column"], f["commit"])
        for f in report["findings"]
    }


def test_keys_in_commit_messages_in_every_commit_mode(repo: Repo, run_cli: RunCli) -> None:
    kinds = ("scrapebit-api-key", "syncline-user-key", "electronhub-api-key")
    subject, body, beside = (new_key(kind) for kind in kinds)
    repo.stage("README.md", "demo\n")
    base = repo.commit("base")
    repo.stage("app.py", f"KEY = '{beside}'\n")
    # Lines that look like a patch inside the message must not confuse the reader.
    message = f"Rotate {subject}\n\ndiff --git a/x b/x\n@@ -1 +1 @@\n+fake\n\n   token: {body}\n"
    first = repo.commit(message)
    repo.stage("b.txt", "b\n")
    second = repo.commit("clean follow-up\n\nnothing here")
    expected = {
        (hashed_secret(subject), MESSAGE, 1, len("Rotate ") + 1, first),
        (hashed_secret(body), MESSAGE, 7, len("   token: ") + 1, first),
        (hashed_secret(beside), "app.py", 1, len("KEY = '") + 1, first),
    }
    for mode, report in all_modes(run_cli, repo, base, [subject, body, beside]).items():
        assert _found(report) == expected, mode
    assert second  # scanned, and nothing found in it


def test_key_in_a_merge_message(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-api-key")
    repo.stage("a.txt", "a\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.stage("b.txt", "b\n")
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge side\n\nused {key} to test", "side")
    merge = repo.git("rev-parse", "HEAD").strip()
    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=[key])
    assert outcome.code == 1
    assert _found(json.loads(outcome.out)) == {
        (hashed_secret(key), MESSAGE, 3, len("used ") + 1, merge)
    }


def test_annotated_tag_messages(repo: Repo, run_cli: RunCli) -> None:
    key, nested_key = new_key("scrapebit-api-key"), new_key("electronhub-api-key")
    repo.stage("a.txt", "a\n")
    base = repo.commit("base")
    repo.stage("b.txt", "b\n")
    tip = repo.commit("tip")
    repo.git("tag", "-a", "v1.0", "-m", f"Release 1.0\n\ndeploy key {key}")
    repo.git("tag", "lightweight")
    tag = repo.git("rev-parse", "v1.0").strip()
    # A tag of a tag: both messages are read.
    repo.git("tag", "-a", "signed-off", "-m", f"ok {nested_key}", "v1.0")
    outer = repo.git("rev-parse", "signed-off").strip()
    keys = [key, nested_key]
    expected = {
        (hashed_secret(key), "<tag message: v1.0>", 3, len("deploy key ") + 1, tag),
        (hashed_secret(nested_key), "<tag message: signed-off>", 1, len("ok ") + 1, outer),
    }

    history = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=keys)
    assert _found(json.loads(history.out)) == expected
    [finding] = [f for f in json.loads(history.out)["findings"] if f["commit"] == tag]
    assert finding["author"] == "Test Dev <dev@example.invalid>" and finding["date"]

    sweep = run_cli(["sweep", str(repo.path), "--format", "json"], repo.path, keys=keys)
    assert {(f["file"], f["line"]) for f in json.loads(sweep.out)["findings"]} == {
        ("<tag message: v1.0>", 3),
        ("<tag message: signed-off>", 1),
    }

    # Pushing the tag (its commits are already on the remote): the message is what is new.
    lines = f"refs/tags/v1.0 {tag} refs/tags/v1.0 {'0' * 40}\n"
    lines += f"refs/heads/main {tip} refs/heads/main {base}\n"
    push = run_cli(
        ["scan", "--pre-push", "elsewhere", "url", "--format", "json"],
        repo.path,
        keys=keys,
        stdin=lines,
    )
    assert push.code == 1
    assert _found(json.loads(push.out)) == {
        (hashed_secret(key), "<tag message: v1.0>", 3, len("deploy key ") + 1, tag)
    }
    text = run_cli(["scan", "--pre-push", "elsewhere", "url"], repo.path, keys=keys, stdin=lines)
    assert "<tag message: v1.0>:3" in text.out

    # On a server, a pushed tag whose commits it has already.
    receive = run_cli(
        ["scan", "--pre-receive", "--format", "json"],
        repo.path,
        keys=keys,
        stdin=f"{'0' * 40} {outer} refs/tags/signed-off\n",
    )
    assert receive.code == 1
    assert {f["file"] for f in json.loads(receive.out)["findings"]} == {
        "<tag message: signed-off>",
        "<tag message: v1.0>",
    }


def test_clean_messages_and_range_without_tags(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("a.txt", "a\n")
    base = repo.commit("base")
    repo.stage("b.txt", "b\n")
    repo.commit("a clean message\n\nwith sk_user_your_key_here as an example")
    repo.git("tag", "-a", "v2", "-m", f"tag with {key}")
    outcome = run_cli(["scan", "--range", f"{base}..HEAD", "--format", "json"], repo.path, [key])
    assert outcome.code == 0  # a range is commits: tags are not part of it
    assert json.loads(outcome.out)["findings"] == []


def test_a_sweep_reads_message_keys_back_on_later_runs(
    repo: Repo, run_cli: RunCli, control: SimulatorControl, tmp_path: Path
) -> None:
    """A re-run scans nothing new and checks the keys of earlier runs by reading them back
    from the repository: from a commit or tag message as from a file."""
    in_commit = control.create_account("scrapebit", "live").key
    in_tag = control.create_account("electronhub", "master").key
    repo.stage("a.txt", "a\n")
    repo.commit(f"deploy\n\nSB={in_commit}")
    repo.git("tag", "-a", "v1", "-m", f"key {in_tag}")
    args = ["sweep", "--cache", str(tmp_path / "cache"), str(repo.path), "--format", "json"]
    args += ["--verify", "--call-interval", "0"]
    keys = [in_commit, in_tag]
    first = json.loads(run_cli(args, repo.path, keys=keys).out)
    assert {(f["file"], f["verified"]) for f in first["findings"]} == {
        ("<commit message>", "live"),
        ("<tag message: v1>", "live"),
    }
    again = run_cli(args, repo.path, keys=keys)
    assert "could not be read back" not in again.err
    assert {f["verified"] for f in json.loads(again.out)["findings"]} == {"live"}
