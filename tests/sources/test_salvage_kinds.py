"""A commit `git log -p` cannot show (one of its blobs is missing) is read object by object:
every other file in it is still judged as a normal scan judges it — too large, binary, an
LFS pointer, deleted, damaged — and a merge read that way is compared with all its parents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, assert_no_leak, new_key


def _loose(repo: Repo, sha: str) -> Path:
    return repo.path / ".git" / "objects" / sha[:2] / sha[2:]


def _history(run_cli: RunCli, repo: Repo, keys: list[str], *extra: str) -> dict[str, Any]:
    outcome = run_cli(["scan", "--history", "--format", "json", *extra], repo.path, keys=keys)
    assert "Traceback" not in outcome.err
    assert outcome.code == 1, outcome.err
    report: dict[str, Any] = json.loads(outcome.out)
    return report


def _skipped(report: dict[str, Any]) -> dict[str, str]:
    return {s["file"]: s["reason"] for s in report["scan"]["skipped"]}


def test_a_salvaged_commit_judges_each_file_as_a_scan_would(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("scrapebit-api-key") for _ in range(3)]
    repo.stage("old.env", f"SB={keys[0]}\n")
    first = repo.commit("first")
    repo.git("rm", "-q", "old.env")
    repo.stage("lost.env", "nothing here\n")
    repo.stage("big.txt", f"SB={keys[1]}\n" + "x" * 3000 + "\n")
    repo.stage("pic.bin", b"\x00\x01\x02" * 100)
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{'4d' * 32}\nsize 12\n"
    repo.stage("model.bin", pointer)
    repo.stage("new.env", f"SB={keys[2]}\n")
    mixed = repo.commit("mixed")
    _loose(repo, repo.git("rev-parse", f"{mixed}:lost.env").strip()).unlink()

    report = _history(run_cli, repo, keys, "--max-file-size", "2000")
    found = {(f["hashed_secret"], f["file"], f["commit"]) for f in report["findings"]}
    assert found == {
        (hashed_secret(keys[0]), "old.env", first),
        (hashed_secret(keys[2]), "new.env", mixed),
    }
    skipped = _skipped(report)
    assert skipped["big.txt"] == "a change larger than 2000 bytes"
    assert skipped["pic.bin"].startswith("binary")
    assert "model.bin" not in skipped  # a pointer hides nothing: git log does not name it
    assert "old.env" not in skipped  # deleted: nothing added, nothing to read
    assert skipped["lost.env"].startswith("unreadable: blob")
    assert report["scan"]["commits"] == 2


def test_a_damaged_blob_in_a_salvaged_commit_is_named_and_the_next_file_read(
    repo: Repo,
) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("a-damaged.txt", "version one\n")
    repo.commit("first")
    repo.stage("a-damaged.txt", "version two, never readable\n")
    repo.stage("lost.env", "nothing here\n")
    repo.stage("z-new.env", f"SB={key}\n")
    mixed = repo.commit("mixed")
    _loose(repo, repo.git("rev-parse", f"{mixed}:lost.env").strip()).unlink()
    damaged = _loose(repo, repo.git("rev-parse", f"{mixed}:a-damaged.txt").strip())
    damaged.chmod(0o644)
    # Its header still reads (so git counts it as there) but its content is cut short.
    damaged.write_bytes(zlib.compress(b"blob 40\0version two")[:-4])
    # In a child process: the reader's leaked pipe must not warn inside this test process.
    ran = subprocess.run(
        [sys.executable, "-m", "leakstop", "scan", "--history", "--format", "json"],
        cwd=repo.path,
        capture_output=True,
        text=True,
    )
    assert_no_leak([ran.stdout, ran.stderr], [key])
    assert ran.returncode == 1, ran.stderr
    report = json.loads(ran.stdout)
    assert {(f["file"], f["commit"]) for f in report["findings"]} == {("z-new.env", mixed)}
    reason = _skipped(report).get("a-damaged.txt", "")
    assert "damaged" in reason and mixed[:12] in reason


def test_a_salvaged_merge_is_compared_with_all_its_parents(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("electronhub-api-key") for _ in range(3)]
    repo.stage("shared.env", "A=1\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.stage("shared.env", f"A=1\nSIDE={keys[0]}\n")
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.stage("other.txt", "main\n")
    repo.commit("main")
    repo.git("merge", "-q", "--no-commit", "side")
    # An evil merge: it adds a key no parent had, and a file whose blob goes missing.
    repo.stage("shared.env", f"A=1\nSIDE={keys[0]}\nMERGE={keys[1]}\n")
    repo.stage("gone.txt", os.urandom(16).hex())
    repo.git("commit", "-q", "-m", "merge")
    merge = repo.git("rev-parse", "HEAD").strip()
    _loose(repo, repo.git("rev-parse", f"{merge}:gone.txt").strip()).unlink()

    report = _history(run_cli, repo, keys)
    found = {(f["hashed_secret"], f["file"], f["commit"], f["line"]) for f in report["findings"]}
    # Line 2 came from `side`, so only line 3 is the merge's own.
    assert found == {
        (hashed_secret(keys[0]), "shared.env", side, 2),
        (hashed_secret(keys[1]), "shared.env", merge, 3),
    }
    assert _skipped(report)["gone.txt"].startswith("unreadable: blob")


def test_tags_and_refs_to_trees_are_walked_past_a_missing_commit(
    repo: Repo, run_cli: RunCli
) -> None:
    """`rev-list --all` stops at a missing commit; the walk that replaces it follows an
    annotated tag to its commit, passes over a ref to a blob, and names a damaged commit."""
    keys = [new_key("syncline-user-key") for _ in range(4)]
    repo.stage("a.env", f"SL={keys[0]}\n")
    first = repo.commit("first")
    repo.stage("b.env", f"SL={keys[1]}\n")
    middle = repo.commit("middle")
    repo.stage("c.env", f"SL={keys[2]}\n")
    repo.commit("last")
    repo.git("checkout", "-q", "-b", "tagged", first)
    repo.stage("t.env", f"SL={keys[3]}\n")
    tagged = repo.commit("only reachable through a tag")
    repo.git("tag", "-a", "-m", "release", "v1", tagged)
    repo.git("checkout", "-q", "-b", "broken", first)
    broken = repo.commit("its object is cut short below")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "tagged")
    blob = repo.git("hash-object", "-w", "--stdin", input=b"just a blob\n").strip()
    repo.git("update-ref", "refs/tags/a-blob", blob)
    _loose(repo, middle).unlink()
    damaged = _loose(repo, broken)
    damaged.chmod(0o644)
    damaged.write_bytes(zlib.compress(b"commit 300\0tree ")[:-4])

    report = _history(run_cli, repo, keys)
    files = {(f["file"], f["commit"]) for f in report["findings"]}
    assert ("t.env", tagged) in files
    assert ("a.env", first) in files
    unreadable = {(s["file"], s.get("commit")) for s in report["scan"]["skipped"]}
    assert ("<commit>", middle) in unreadable
    [reason] = [s["reason"] for s in report["scan"]["skipped"] if s.get("commit") == broken]
    assert reason == f"unreadable: object {broken[:12]} is damaged"


def test_a_commit_whose_tree_is_missing_keeps_its_message(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("electronhub-api-key") for _ in range(2)]
    repo.stage("a.env", f"EH={keys[0]}\n")
    first = repo.commit("first")
    repo.stage("b.txt", os.urandom(8).hex())
    bare = repo.commit(f"second\n\nold key {keys[1]}")
    _loose(repo, repo.git("rev-parse", f"{bare}^{{tree}}").strip()).unlink()
    report = _history(run_cli, repo, keys)
    found = {(f["file"], f["commit"]) for f in report["findings"]}
    assert found == {("a.env", first), ("<commit message>", bare)}
    [reason] = [s["reason"] for s in report["scan"]["skipped"] if s.get("commit") == bare]
    assert reason.startswith(f"files unreadable in {bare[:12]}")
