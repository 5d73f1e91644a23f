"""Nothing skipped without saying so, nothing skipped that can be read (issue 8, section 3):
git-lfs pointers, unreadable files and directories, large files, missing git objects."""

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
from tests.testing import Outcome, Repo, RunCli, hash_file_line, new_key, scan_report, skipped_files

LFS_SPEC = "https://git-lfs.github.com/spec/v1"


# -- git-lfs pointers ---------------------------------------------------------------------------


def _pointer(extensions: int = 0, size: int = 12345) -> str:
    ext = "".join(f"ext-{i}-foo sha256:{format(i, 'x') * 64}\n" for i in range(extensions))
    return f"version {LFS_SPEC}\n{ext}oid sha256:{'4d' * 32}\nsize {size}\n"


@pytest.mark.parametrize("mode", [["--staged"], [], ["--history"]])
def test_only_a_real_lfs_pointer_is_skipped(repo: Repo, run_cli: RunCli, mode: list[str]) -> None:
    keys = [new_key("electronhub-api-key") for _ in range(4)]
    repo.stage("model.bin", _pointer())
    repo.stage("weights.bin", _pointer(extensions=2))
    # Text that starts with the pointer line, then goes on as text (or breaks the shape).
    repo.stage("notes.md", f"version {LFS_SPEC}\nThe key is {keys[0]}\n")
    repo.stage("fake.bin", _pointer() + f"token = {keys[1]}\n")
    repo.stage("upper.bin", _pointer().replace("4d", "4D") + f"# {keys[2]}\n")
    repo.stage("big.txt", f"version {LFS_SPEC}\n" + "x\n" * 600 + f"KEY={keys[3]}\n")
    if mode == ["--history"]:
        repo.commit("add files")
    report = scan_report(run_cli, repo, *mode, keys=keys)
    found = {(file, line) for _, file, line in hash_file_line(report)}
    assert found == {("notes.md", 2), ("fake.bin", 4), ("upper.bin", 4), ("big.txt", 602)}
    if mode != ["--history"]:  # history reads changes, where a pointer has nothing to skip
        skipped = skipped_files(report)
        assert set(skipped) == {"model.bin", "weights.bin"}
        assert all(reason.startswith("git-lfs pointer") for reason in skipped.values())


# -- unreadable files and directories -------------------------------------------------------------


def _without_dac_override() -> list[str]:
    """A command prefix that runs a program as root without the capabilities that let root
    read what permissions deny (the tests run as root, where chmod alone does not bite)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot drop CAP_DAC_OVERRIDE")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def _scan_as_user(cwd: Path, *args: str, keys: list[str]) -> dict[str, Any]:
    prefix = _without_dac_override()
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "leakstop", "scan", "--format", "json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    for key in keys:
        assert key not in proc.stdout + proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def test_unreadable_files_and_directories_are_named_with_the_reason(repo: Repo) -> None:
    readable, hidden, inner, untracked = (new_key("scrapebit-api-key") for _ in range(4))
    repo.stage("ok.env", f"SB={readable}\n")
    repo.stage("secret.env", f"SB={hidden}\n")
    repo.stage("locked/inner.env", f"SB={inner}\n")
    repo.commit("files")
    repo.write("private/notes.env", f"SB={untracked}\n")
    locked = [repo.path / "secret.env", repo.path / "locked", repo.path / "private"]
    for path in locked:
        path.chmod(0)
    keys = [readable, hidden, inner, untracked]
    try:
        tracked = _scan_as_user(repo.path, keys=keys)
        walked = _scan_as_user(repo.path, ".", keys=keys)
    finally:
        for path in locked:
            path.chmod(0o755)
    denied = "unreadable (Permission denied)"
    assert hash_file_line(tracked) == {(hashed_secret(readable), "ok.env", 1)}
    assert skipped_files(tracked) == {"secret.env": denied, "locked/inner.env": denied}
    assert hash_file_line(walked) == {(hashed_secret(readable), "ok.env", 1)}
    assert skipped_files(walked) == {
        "secret.env": denied,
        "locked": "unreadable directory (Permission denied)",
        "private": "unreadable directory (Permission denied)",
    }
    # A path given inside a directory that may not be searched is named, not "missing".
    for path in locked:
        path.chmod(0)
    try:
        inside = _scan_as_user(repo.path, "locked/inner.env", "ok.env", keys=keys)
    finally:
        for path in locked:
            path.chmod(0o755)
    assert skipped_files(inside) == {"locked/inner.env": denied}
    assert hash_file_line(inside) == {(hashed_secret(readable), "ok.env", 1)}


# -- missing or unreadable git objects ------------------------------------------------------------


def _loose(repo: Repo, sha: str) -> Path:
    return repo.path / ".git" / "objects" / sha[:2] / sha[2:]


def _history(run_cli: RunCli, repo: Repo, keys: list[str]) -> tuple[int, dict[str, Any]]:
    outcome: Outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=keys)
    assert "Traceback" not in outcome.err
    assert outcome.code in (0, 1), outcome.err
    report: dict[str, Any] = json.loads(outcome.out)
    return outcome.code, report


def _unreadable(report: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {
        (s["file"], s.get("commit"))
        for s in report["scan"]["skipped"]
        if s["reason"].startswith("unreadable")
    }


def test_history_goes_on_past_missing_blobs(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("scrapebit-api-key") for _ in range(5)]
    repo.stage("early.env", f"SB={keys[0]}\n")
    early = repo.commit("early")
    repo.stage("lost.env", f"SB={keys[1]}\n")
    repo.stage("kept.env", f"SB={keys[2]}\n")
    damaged = repo.commit(f"damaged\n\nmessage key {keys[3]}")
    repo.stage("lost.env", f"SB={keys[1]}\nmore\n")  # its old version is gone: all lines count
    repo.stage("late.env", f"SB={keys[4]}\n")
    late = repo.commit("late")
    for _ in range(3):  # more commits after it, so several log processes have work
        repo.stage("filler.txt", os.urandom(8).hex())
        repo.commit("filler")
    lost_blob = repo.git("rev-parse", f"{damaged}:lost.env").strip()
    _loose(repo, lost_blob).unlink()
    code, report = _history(run_cli, repo, keys)
    assert code == 1
    assert hash_file_line(report) == {
        (hashed_secret(keys[0]), "early.env", 1),
        (hashed_secret(keys[2]), "kept.env", 1),
        (hashed_secret(keys[3]), "<commit message>", 3),
        (hashed_secret(keys[1]), "lost.env", 1),  # from `late`, which still has the file
        (hashed_secret(keys[4]), "late.env", 1),
    }
    commits = {(f["file"], f["line"]): f["commit"] for f in report["findings"]}
    assert commits[("early.env", 1)] == early and commits[("late.env", 1)] == late
    assert commits[("kept.env", 1)] == damaged and commits[("lost.env", 1)] == late
    assert _unreadable(report) == {("lost.env", damaged)}
    [entry] = [s for s in report["scan"]["skipped"] if s["file"] == "lost.env"]
    assert lost_blob[:12] in entry["reason"] and damaged[:12] in entry["reason"]
    assert report["scan"]["commits"] == 6, report["scan"]
    # The text report names it too.
    text = run_cli(["scan", "--history"], repo.path, keys=keys)
    assert f"lost.env: unreadable: blob {lost_blob[:12]} is missing" in text.out


def test_a_run_of_missing_blobs_costs_a_few_object_reads(
    repo: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Versions of one file missing in a run of commits (a mirror without its large files),
    then a long healthy history: git log takes over again after the run, rather than every
    later commit being read object by object (a few git processes each)."""
    from leakstop.sources import revisions

    read_alone: list[str] = []
    real = revisions.salvage

    def counted(root: Path, sha: str, *args: Any) -> None:
        read_alone.append(sha)
        real(root, sha, *args)

    monkeypatch.setattr(revisions, "salvage", counted)
    keys = [new_key("scrapebit-api-key") for _ in range(3)]
    repo.stage("early.env", f"SB={keys[0]}\n")
    early = repo.commit("early")
    for i in range(40):
        repo.stage("notes.txt", f"note {i}\n")
        repo.commit(f"note {i}")
    repo.stage("late.env", f"SB={keys[1]}\n")
    late = repo.commit(f"late\n\nold key {keys[2]}")
    lost: list[str] = []
    for i in range(5):  # the newest commits, which git log shows first
        repo.stage("data/huge.log", f"version {i}\n" * 50)
        lost.append(repo.commit(f"huge {i}"))
    for sha in lost:
        _loose(repo, repo.git("rev-parse", f"{sha}:data/huge.log").strip()).unlink()
    outcome: Outcome = run_cli(
        ["scan", "--history", "-j", "1", "--format", "json"], repo.path, keys=keys
    )
    assert outcome.code == 1, outcome.err
    report = json.loads(outcome.out)
    commits = {(f["file"], f["hashed_secret"]): f["commit"] for f in report["findings"]}
    assert commits == {
        ("early.env", hashed_secret(keys[0])): early,
        ("late.env", hashed_secret(keys[1])): late,
        ("<commit message>", hashed_secret(keys[2])): late,
    }
    assert _unreadable(report) == {("data/huge.log", sha) for sha in lost}
    assert report["scan"]["commits"] == 47
    assert 5 <= len(read_alone) <= 10, len(read_alone)


def test_history_goes_on_past_a_missing_commit(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("electronhub-api-key") for _ in range(3)]
    repo.stage("a.env", f"EH={keys[0]}\n")
    first = repo.commit("first")
    repo.stage("b.env", f"EH={keys[1]}\n")
    middle = repo.commit("middle")
    repo.stage("c.env", f"EH={keys[2]}\n")
    last = repo.commit("last")
    repo.git("branch", "old", first)  # still reachable without the missing commit
    _loose(repo, middle).unlink()
    code, report = _history(run_cli, repo, keys)
    assert code == 1
    # `last` cannot be compared with its parent: all its files count as added, so the key
    # the lost commit introduced is reported there rather than missed.
    assert {(f["file"], f["commit"]) for f in report["findings"]} == {
        ("a.env", first),
        ("a.env", last),
        ("b.env", last),
        ("c.env", last),
    }
    assert _unreadable(report) == {("<commit>", middle)}
    for mode in (["--range", f"{first}..main"], []):
        outcome = run_cli(["scan", *mode, "--format", "json"], repo.path, keys=keys)
        assert "Traceback" not in outcome.err and outcome.code in (1, 2)


def test_nothing_readable_is_an_error(repo: Repo, run_cli: RunCli) -> None:
    repo.stage("a.txt", "a\n")
    only = repo.commit("only")
    _loose(repo, only).unlink()
    outcome: Outcome = run_cli(["scan", "--history"], repo.path)
    assert outcome.code == 2
    assert outcome.err.startswith("leakstop: ") and outcome.err.count("\n") == 1
    assert only[:12] in outcome.err


def test_partial_clone_without_its_remote(repo: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    """A blob-less clone offline: no file content can be read, every message can."""
    keys = [new_key("syncline-user-key") for _ in range(8)]
    for i in range(4):
        repo.stage(f"app{i}.env", f"SL={keys[2 * i]}\n")
        repo.commit(f"add app {i}\n\nrotated {keys[2 * i + 1]}")
    repo.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial"
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", "--filter=blob:none", repo.path.as_uri(), clone],
        check=True,
    )
    shutil.move(repo.path, tmp_path / "gone")  # offline: the missing blobs cannot be fetched
    partial = Repo(clone)
    code, report = _history(run_cli, partial, keys)
    assert code == 1
    assert {h for h, _, _ in hash_file_line(report)} == {hashed_secret(k) for k in keys[1::2]}
    assert {file for _, file, _ in hash_file_line(report)} == {"<commit message>"}
    assert {file for file, _ in _unreadable(report)} == {f"app{i}.env" for i in range(4)}
    assert report["scan"]["commits"] == 4


# -- large files --------------------------------------------------------------------------------


def _big_text(keys: list[str], lines: int, seed: int) -> str:
    """Lines of varied length (some very long), with the keys spread over them, some at the
    start or end of a line, some labelled ECGrid keys that need their context."""
    import random

    rng = random.Random(seed)
    out = []
    step = max(1, lines // len(keys))
    for number in range(lines):
        filler = "".join(rng.choice("abc def,;=") for _ in range(rng.choice((5, 40, 300, 3000))))
        out.append(filler)
        if number % step == 0 and keys:
            key = keys.pop()
            out.append(rng.choice((f"{key} {filler[:20]}", f"{filler[:50]} = {key}", key)))
    return "\n".join(out + keys) + "\n"


def _whole_and_streamed(
    run_cli: RunCli, repo: Repo, paths: list[str], keys: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    whole = scan_report(run_cli, repo, *paths, keys=keys)
    streamed = scan_report(run_cli, repo, "--max-file-size", "9000", *paths, keys=keys)
    return whole, streamed


def _places(report: dict[str, Any]) -> set[tuple[str, str, int, int]]:
    return {(f["hashed_secret"], f["file"], f["line"], f["column"]) for f in report["findings"]}


def test_files_larger_than_the_limit_are_read_in_pieces(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("scrapebit-api-key") for _ in range(40)]
    wide_keys = [new_key("electronhub-api-key") for _ in range(10)]
    ecgrid = new_key("ecgrid-api-key")
    repo.write("dump.sql", _big_text(list(keys), 400, seed=1))
    repo.write(
        "bundle.min.js", "".join(f'var a{i}="{k}";' + "x=1;" * 900 for i, k in enumerate(keys))
    )
    repo.write("wide.ps1", _big_text(list(wide_keys), 200, seed=2).encode("utf-16"))
    # A labelled ECGrid key right after a piece boundary still sees its label and context.
    config = "# padding line\n" * 700 + f"[ecgrid]\napi_key = {ecgrid}\n"
    repo.write("ecgrid.ini", config)
    paths = ["dump.sql", "bundle.min.js", "wide.ps1", "ecgrid.ini"]
    all_keys = [*keys, *wide_keys, ecgrid]
    whole, streamed = _whole_and_streamed(run_cli, repo, paths, all_keys)
    assert skipped_files(streamed) == {}
    assert _places(streamed) == _places(whole)
    assert {f["file"] for f in whole["findings"]} == set(paths)
    found = {f["hashed_secret"] for f in streamed["findings"]}
    assert found == {hashed_secret(k) for k in all_keys}
    # Every key once, however many pieces overlap it.
    assert len(streamed["findings"]) == len(_places(streamed))


def test_piece_boundaries_never_lose_or_repeat_a_key(tmp_path: Path) -> None:
    """Cut at every offset: each key once, at the line and column of a whole-file scan."""
    import io

    from leakstop.detect.engine import Detector
    from leakstop.findings import Block
    from leakstop.providers import all_rules
    from leakstop.sources import segments

    detector = Detector(all_rules())
    keys = [new_key("syncline-user-key") for _ in range(6)]
    text = _big_text(list(keys), 60, seed=3) + "tail " * 4000 + keys[0] + "\n"
    text += "y" * 20000 + f" {keys[1]}"  # a long line, and no newline at the end
    expected = {(h.secret, h.line, h.column) for h in detector.scan(Block("f", text))}
    assert {secret for secret, _, _ in expected} == set(keys)
    data = text.encode()
    for piece in range(segments.MIN_PIECE, segments.MIN_PIECE + 3000, 97):
        hits = []
        for block in segments.stream(io.BytesIO(data), "f", piece):
            assert isinstance(block, Block)
            hits += [(h.secret, h.line, h.column) for h in detector.scan(block)]
        assert sorted(hits) == sorted(expected), piece
    assert list(segments.stream(io.BytesIO(b"\x00\x01" * 9000), "f", 1)) == ["binary"]


def test_commit_modes_name_a_change_over_the_limit(repo: Repo, run_cli: RunCli) -> None:
    key, small = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    # History reads git's output in 1 MB chunks and holds a hunk whole: one larger than both
    # that and the limit is skipped, and named.
    repo.stage("dump.sql", "-- data\n" * 200_000 + f"key={key}\n")
    repo.commit("big")
    repo.stage("small.env", f"SB={small}\n")
    repo.commit("small")
    outcome = run_cli(
        ["scan", "--history", "--max-file-size", "1000"], repo.path, keys=[key, small]
    )
    assert outcome.code == 1  # the small file's key
    assert "Not scanned (1):" in outcome.out
    assert "dump.sql: a change larger than 1000 bytes" in outcome.out


def test_every_commit_mode_goes_on_past_a_missing_blob(repo: Repo, run_cli: RunCli) -> None:
    from tests.testing import all_modes

    keys = [new_key("electronhub-api-key") for _ in range(3)]
    repo.stage("README.md", "x\n")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.stage("side.env", f"EH={keys[0]}\n")
    repo.stage("gone.bin", os.urandom(64).hex())
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.stage("main.env", f"EH={keys[1]}\n")
    repo.commit("main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side")
    repo.git("branch", "-q", "-D", "side")  # so a server has not seen it
    repo.stage("merged.env", f"EH={keys[2]}\n")
    repo.commit("after the merge")
    gone = repo.git("rev-parse", f"{side}:gone.bin").strip()
    _loose(repo, gone).unlink()
    for mode, report in all_modes(run_cli, repo, base, keys).items():
        assert {f for _, f, _ in hash_file_line(report)} == {
            "side.env",
            "main.env",
            "merged.env",
        }, mode
        assert ("gone.bin", side) in _unreadable(report), mode


def test_damaged_objects_are_named_and_the_rest_scanned(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("scrapebit-api-key") for _ in range(3)]
    repo.stage("a.env", f"SB={keys[0]}\n")
    repo.stage("big.txt", "x" * 5000 + "\n")
    first = repo.commit("first")
    repo.git("checkout", "-q", "-b", "side")
    repo.stage("side.env", f"SB={keys[1]}\n")
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.stage("b.env", f"SB={keys[2]}\n")
    repo.commit("second")
    for sha in (repo.git("rev-parse", f"{first}:big.txt").strip(), side):
        path = _loose(repo, sha)
        path.chmod(0o644)
        path.write_bytes(b"not zlib at all")
    code, report = _history(run_cli, repo, keys)
    assert code == 1
    assert {file for _, file, _ in hash_file_line(report)} == {"a.env", "b.env"}
    assert _unreadable(report) == {("big.txt", first), ("<commit>", side)}


def test_a_sweep_goes_on_past_a_missing_commit(repo: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    keys = [new_key("scrapebit-api-key") for _ in range(3)]
    repo.stage("a.env", f"SB={keys[0]}\n")
    repo.commit("first")
    repo.stage("b.env", f"SB={keys[1]}\n")
    middle = repo.commit("middle")
    repo.stage("c.env", f"SB={keys[2]}\n")
    repo.commit("last")
    _loose(repo, middle).unlink()
    args = ["sweep", "--cache", str(tmp_path / "cache"), str(repo.path), "--format", "json"]
    outcome: Outcome = run_cli(args, repo.path, keys=keys)
    assert outcome.code == 1 and "Traceback" not in outcome.err
    report = json.loads(outcome.out)
    assert [r["status"] for r in report["repositories"]] == ["ok"]
    # The commit before the missing one cannot be reached: what `last` holds is scanned whole.
    assert {f["file"] for f in report["findings"]} == {"a.env", "b.env", "c.env"}
    assert ("<commit>", middle) in {(s["file"], s.get("commit")) for s in report["scan"]["skipped"]}
