"""Input a real user throws at the scanner: odd bytes, odd names, odd repository states.

Each case ends in correct results, or a one-line error on stderr with exit code 2; never a
traceback. What cannot be scanned is named in the report's `scan.skipped`.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from leakstop.findings import Skipped
from leakstop.secrets_text import hashed_secret
from tests.testing import (
    Outcome,
    Repo,
    RunCli,
    hash_file_line,
    init_repo,
    new_key,
    scan_json,
    skipped_files,
)

LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 123456\n"


def _both_modes(
    run_cli: RunCli, repo: Repo, keys: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same staged content scanned with --staged and in files mode."""
    _, staged = scan_json(run_cli, repo, "--staged", keys=keys)
    _, files = scan_json(run_cli, repo, keys=keys)
    return staged, files


def _assert_one_line_error(outcome: Outcome, *words: str) -> None:
    assert outcome.code == 2
    assert outcome.err.count("\n") == 1, outcome.err
    assert outcome.err.startswith("leakstop: ")
    assert "Traceback" not in outcome.err
    for word in words:
        assert word in outcome.err


# -- file contents ----------------------------------------------------------------------------


def test_binary_file_is_named_and_text_next_to_it_still_scanned(
    repo: Repo, run_cli: RunCli
) -> None:
    hidden, visible = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    repo.stage("assets/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00" + hidden.encode() + b"\x00")
    repo.stage("app.py", f"KEY = '{visible}'\n")
    for report in _both_modes(run_cli, repo, [hidden, visible]):
        assert hash_file_line(report) == {(hashed_secret(visible), "app.py", 1)}
        assert skipped_files(report) == {"assets/logo.png": "binary"}


def test_files_over_the_size_limit_are_named_with_the_reason(repo: Repo, run_cli: RunCli) -> None:
    """A staged change over the limit is named; files mode reads a large file in pieces
    instead (more in test_skipped.py)."""
    big, small = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    repo.stage("dump.sql", "-- data\n" * 200 + f"key={big}\n")
    repo.stage("small.env", f"SB={small}\n")
    keys = [big, small]
    _, report = scan_json(run_cli, repo, "--staged", "--max-file-size", "1000", keys=keys)
    assert hash_file_line(report) == {(hashed_secret(small), "small.env", 1)}
    assert skipped_files(report)["dump.sql"].startswith("too large")
    assert "1000" in skipped_files(report)["dump.sql"]
    _, report = scan_json(run_cli, repo, "--max-file-size", "1000", keys=keys)
    assert hash_file_line(report) == {
        (hashed_secret(small), "small.env", 1),
        (hashed_secret(big), "dump.sql", 201),
    }
    assert skipped_files(report) == {}


def test_latin1_file_with_a_key(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    repo.stage("legacy.ini", f"caf\xe9=1\nna\xefve_key = {key} ; r\xe9sum\xe9\n".encode("latin-1"))
    for report in _both_modes(run_cli, repo, [key]):
        assert hash_file_line(report) == {(hashed_secret(key), "legacy.ini", 2)}
        [finding] = report["findings"]
        assert finding["column"] == len("na\xefve_key = ") + 1


def test_crlf_file(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("electronhub-dev-key")
    repo.stage("win.env", f"A=1\r\nB=2\r\nEH={key}\r\n")
    for report in _both_modes(run_cli, repo, [key]):
        assert hash_file_line(report) == {(hashed_secret(key), "win.env", 3)}
        assert report["findings"][0]["column"] == 4


def test_utf16_file_with_bom(repo: Repo, run_cli: RunCli) -> None:
    """PowerShell 5 writes UTF-16: git diffs it as binary, leakstop decodes it in both modes
    (more in test_utf16.py)."""
    key = new_key("scrapebit-api-key")
    repo.stage("ps.env", f"SCRAPEBIT_API_KEY={key}\r\n".encode("utf-16"))
    for report in _both_modes(run_cli, repo, [key]):
        assert hash_file_line(report) == {(hashed_secret(key), "ps.env", 1)}
        assert skipped_files(report) == {}


def _minified(size: int, key: str) -> str:
    chunk = 'function f(a){return a.map(function(b){return b*2})};var c="abcdef";'
    return (chunk * (size // len(chunk) + 1))[:size] + f'var k="{key}";'


def test_five_megabyte_minified_line_with_key_near_the_end(repo: Repo, run_cli: RunCli) -> None:
    small_key, key = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    repo.stage("small.min.js", _minified(1024 * 1024, small_key))
    repo.commit("1 MB bundle")
    started = time.perf_counter()
    _, files_small = scan_json(run_cli, repo, "small.min.js", keys=[small_key])
    small_seconds = time.perf_counter() - started
    repo.stage("dist/app.min.js", _minified(5 * 1024 * 1024, key))
    timings = {}
    for mode in ("--staged", "dist/app.min.js"):
        started = time.perf_counter()
        _, report = scan_json(run_cli, repo, mode, keys=[key])
        timings[mode] = time.perf_counter() - started
        assert hash_file_line(report) == {(hashed_secret(key), "dist/app.min.js", 1)}
        assert report["findings"][0]["column"] == 5 * 1024 * 1024 + len('var k="') + 1
    assert hash_file_line(files_small) == {(hashed_secret(small_key), "small.min.js", 1)}
    # Five times the bytes, roughly five times the time: never the square (25x and more).
    assert timings["dist/app.min.js"] < 20 * max(small_seconds, 0.05), (small_seconds, timings)


# -- file names -------------------------------------------------------------------------------

ODD_NAMES = [
    "dir with space/a b.env",
    "ünïcødé/ключ.env",
    "new\nline.env",
    'quote"d.env',
    "tab\there.env",
    "back\\slash.env",
    "trailing space .env",
    "-dash.env",
]


def test_odd_file_names_in_both_modes(repo: Repo, run_cli: RunCli) -> None:
    keys = {name: new_key("scrapebit-test-key") for name in ODD_NAMES}
    for name, key in keys.items():
        repo.stage(name, f"# {name!r}\nSB={key}\n")
    expected = {(hashed_secret(key), name, 2) for name, key in keys.items()}
    for report in _both_modes(run_cli, repo, list(keys.values())):
        assert hash_file_line(report) == expected


def test_file_name_that_is_not_utf8(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-test-key")
    name = b"caf\xe9.env"
    try:
        (repo.path / os.fsdecode(name)).write_text(f"SB={key}\n")
    except (OSError, UnicodeEncodeError):  # pragma: no cover - a file system that refuses
        pytest.skip("file system refuses non-UTF-8 names")
    repo.git("add", "-A")
    for report in _both_modes(run_cli, repo, [key]):
        assert hash_file_line(report) == {(hashed_secret(key), "caf\\xe9.env", 1)}


# -- links, submodules, LFS -------------------------------------------------------------------


def test_symlinks_are_scanned_as_what_git_stores(
    repo: Repo, run_cli: RunCli, tmp_path: Path
) -> None:
    inside, outside = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    repo.stage("real.env", f"EH={inside}\n")
    (tmp_path / "outside.env").write_text(f"EH={outside}\n")
    os.symlink("real.env", repo.path / "link.env")
    os.symlink(tmp_path / "outside.env", repo.path / "outside-link.env")
    os.symlink("missing-target", repo.path / "dangling.env")
    os.symlink("real.env", repo.path / "pending.env")  # untracked: files mode ignores it
    repo.git("add", "link.env", "outside-link.env", "dangling.env")
    for report in _both_modes(run_cli, repo, [inside, outside]):
        # The key inside the repository once, where it lives; the file outside is not
        # part of the commit, and neither link is reported as skipped.
        assert hash_file_line(report) == {(hashed_secret(inside), "real.env", 1)}
        assert skipped_files(report) == {}
    _, given = scan_json(run_cli, repo, ".", keys=[inside, outside])
    assert hash_file_line(given) == {(hashed_secret(inside), "real.env", 1)}


def test_submodule_is_named_and_not_entered(repo: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    inner_key, outer_key = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    library = init_repo(tmp_path / "library")
    library.stage("secret.env", f"SB={inner_key}\n")
    library.commit("library")
    repo.stage("app.env", f"SB={outer_key}\n")
    repo.commit("app")
    repo.git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(library.path),
        "vendor/lib",
    )
    repo.stage("app.env", f"SB={outer_key}\nSB2={new_key('scrapebit-test-key')}\n")
    keys = [inner_key, outer_key]
    staged, files = _both_modes(run_cli, repo, keys)
    assert skipped_files(staged) == {"vendor/lib": "submodule (scan it in its own repository)"}
    for style in ("log", "diff"):  # user configuration that changes how git shows them
        repo.git("config", "diff.submodule", style)
        _, styled = scan_json(run_cli, repo, "--staged", keys=keys)
        assert styled["findings"] == staged["findings"]
        assert skipped_files(styled) == skipped_files(staged)
    assert skipped_files(files) == {"vendor/lib": "submodule (scan it in its own repository)"}
    assert hashed_secret(inner_key) not in {f["hashed_secret"] for f in files["findings"]}
    assert hashed_secret(inner_key) not in {f["hashed_secret"] for f in staged["findings"]}
    assert (hashed_secret(outer_key), "app.env", 1) in hash_file_line(files)
    # Scanning the directory as a path names the submodule too, without entering it…
    _, walked = scan_json(run_cli, repo, ".", keys=keys)
    assert skipped_files(walked) == {"vendor/lib": "submodule (scan it in its own repository)"}
    assert (hashed_secret(outer_key), "app.env", 1) in hash_file_line(walked)
    # …unless it is the path asked for.
    _, inside = scan_json(run_cli, repo, "vendor/lib", keys=keys)
    assert hash_file_line(inside) == {(hashed_secret(inner_key), "vendor/lib/secret.env", 1)}


def test_lfs_pointer_files_are_named(repo: Repo, run_cli: RunCli) -> None:
    repo.stage("model.bin", LFS_POINTER.format(oid="ab" * 32))
    for report in _both_modes(run_cli, repo, []):
        assert report["findings"] == []
        assert skipped_files(report)["model.bin"].startswith("git-lfs pointer")


# -- repository states ------------------------------------------------------------------------


def test_empty_repository_with_nothing_staged(repo: Repo, run_cli: RunCli) -> None:
    for mode in (["--staged"], []):
        outcome, report = scan_json(run_cli, repo, *mode, keys=[])
        assert outcome.code == 0
        assert report["findings"] == [] and report["scan"]["files"] == 0


def test_first_commit_of_a_new_repository(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    repo.stage("first.env", f"SYNCLINE_USER_KEY={key}\n")
    outcome, report = scan_json(run_cli, repo, "--staged", keys=[key])
    assert outcome.code == 1
    assert hash_file_line(report) == {(hashed_secret(key), "first.env", 1)}


def test_detached_head(repo: Repo, run_cli: RunCli) -> None:
    repo.stage("a.txt", "a\n")
    repo.commit()
    repo.git("checkout", "-q", "--detach")
    key = new_key("electronhub-proxy-key")
    repo.stage("a.txt", f"a\nEH={key}\n")
    outcome, report = scan_json(run_cli, repo, "--staged", keys=[key])
    assert outcome.code == 1
    assert hash_file_line(report) == {(hashed_secret(key), "a.txt", 2)}


def test_shallow_clone(repo: Repo, run_cli: RunCli, tmp_path: Path) -> None:
    for n in range(3):
        repo.stage("log.txt", f"entry {n}\n")
        repo.commit(f"c{n}")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)], check=True
    )
    shallow = Repo(clone)
    key = new_key("scrapebit-api-key")
    shallow.stage("log.txt", f"entry 2\nSB={key}\n")
    _, report = scan_json(run_cli, shallow, "--staged", keys=[key])
    assert hash_file_line(report) == {(hashed_secret(key), "log.txt", 2)}


def test_partially_staged_file_only_the_index_counts(repo: Repo, run_cli: RunCli) -> None:
    staged_key, worktree_key = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    repo.stage("app.env", "A=1\n")
    repo.commit()
    repo.stage("app.env", f"A=1\nSTAGED={staged_key}\n")
    repo.write("app.env", f"A=1\nWORKTREE={worktree_key}\n")  # staged key gone from the tree
    keys = [staged_key, worktree_key]
    _, staged = scan_json(run_cli, repo, "--staged", keys=keys)
    _, files = scan_json(run_cli, repo, keys=keys)
    assert hash_file_line(staged) == {(hashed_secret(staged_key), "app.env", 2)}
    assert hash_file_line(files) == {(hashed_secret(worktree_key), "app.env", 2)}


def test_deletions_add_nothing(repo: Repo, run_cli: RunCli) -> None:
    key, other = new_key("electronhub-api-key"), new_key("electronhub-api-key")
    repo.stage("gone.env", f"EH={key}\n")
    repo.stage("kept.env", f"A=1\nEH={other}\nB=2\n")
    repo.commit()
    repo.git("rm", "-q", "gone.env")
    repo.stage("kept.env", "A=1\nB=2\n")
    outcome, report = scan_json(run_cli, repo, "--staged", keys=[key, other])
    assert outcome.code == 0
    assert report["findings"] == []


def test_renames(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    body = "".join(f"line {n}\n" for n in range(20))
    repo.stage("old name.env", body + f"SYNCLINE={key}\n")
    repo.commit()
    repo.git("mv", "old name.env", "new name.env")
    outcome, report = scan_json(run_cli, repo, "--staged", keys=[key])
    assert outcome.code == 0, "a pure rename adds no line"
    assert report["findings"] == []
    added = new_key("syncline-user-key")
    repo.stage("new name.env", body + f"SYNCLINE={key}\nSYNCLINE2={added}\n")
    outcome, report = scan_json(run_cli, repo, "--staged", keys=[key, added])
    assert outcome.code == 1
    assert hash_file_line(report) == {(hashed_secret(added), "new name.env", 22)}


def test_mode_change_adds_nothing(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-test-key")
    repo.stage("run.sh", f"#!/bin/sh\nSB={key}\n")
    repo.commit()
    repo.git("update-index", "--chmod=+x", "run.sh")
    outcome, report = scan_json(run_cli, repo, "--staged", keys=[key])
    assert outcome.code == 0
    assert report["findings"] == []


def test_key_moved_within_a_file_is_not_new_but_a_changed_line_is(
    repo: Repo, run_cli: RunCli
) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("c.env", f"SB={key}\nA=1\nB=2\n")
    repo.commit()
    repo.stage("c.env", f"A=1\nB=2\nSB={key}\n")
    _, report = scan_json(run_cli, repo, "--staged", keys=[key])
    # Git shows the moved line as added: --staged reports it (only a baseline can say it
    # is known); this is what detect-secrets-hook does too.
    assert hash_file_line(report) == {(hashed_secret(key), "c.env", 3)}


# -- places that are not a repository, or not a file -------------------------------------------


def test_staged_outside_a_repository(tmp_path: Path, run_cli: RunCli) -> None:
    _assert_one_line_error(run_cli(["scan", "--staged"], tmp_path), "not inside")


def test_staged_inside_the_git_directory(repo: Repo, run_cli: RunCli) -> None:
    _assert_one_line_error(run_cli(["scan", "--staged"], repo.path / ".git"), "--staged")


def test_staged_in_a_bare_repository(tmp_path: Path, run_cli: RunCli) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "bare.git")], check=True)
    _assert_one_line_error(run_cli(["scan", "--staged"], tmp_path / "bare.git"), "--staged")


def test_fifo_and_unreadable_files_are_named(tmp_path: Path, run_cli: RunCli) -> None:
    os.mkfifo(tmp_path / "pipe")
    locked = tmp_path / "locked.env"
    locked.write_text("x\n")
    locked.chmod(0)
    try:
        outcome = run_cli(["scan", "--format", "json", "."], tmp_path)
    finally:
        locked.chmod(0o600)
    skipped = skipped_files(json.loads(outcome.out))
    assert skipped["pipe"] == "not a regular file"
    if os.geteuid() != 0:  # root reads anything
        assert skipped["locked.env"].startswith("unreadable")


def test_tracked_file_missing_from_the_work_tree(repo: Repo, run_cli: RunCli) -> None:
    repo.stage("gone.txt", "x\n")
    (repo.path / "gone.txt").unlink()
    _, report = scan_json(run_cli, repo, keys=[])
    assert skipped_files(report) == {"gone.txt": "missing from the work tree"}


def test_guid_in_an_ecgrid_repository_without_a_label(repo: Repo, run_cli: RunCli) -> None:
    """Many GUIDs, ECGrid everywhere, none named as a credential: nothing to report."""
    lines = [f'ecgrid_mailbox_{n} = "{uuid.uuid4()}"' for n in range(50)]
    repo.stage("ecgrid/ids.py", "\n".join(lines) + "\n")
    outcome, _ = scan_json(run_cli, repo, "--staged", keys=[])
    assert outcome.code == 0


# -- the file reader's rare branches -----------------------------------------------------------


def test_read_error_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from leakstop.sources import files

    target = tmp_path / "a.env"
    target.write_text("x\n")

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    # Root reads any file: the refusal a user without the permission would meet is made up.
    monkeypatch.setattr(files.os, "open", refuse)
    assert files.read(target, "a.env", 100) == Skipped("a.env", "unreadable (Permission denied)")


def test_file_that_grows_past_the_limit_while_read(tmp_path: Path) -> None:
    from leakstop.sources import files

    proc = Path("/proc/self/status")  # reports size 0, reads much more
    if not proc.exists():  # pragma: no cover - not Linux
        pytest.skip("needs /proc")
    item = files.read(proc, "status", 10)
    assert item == Skipped("status", "too large (over the limit of 10 bytes)")


def test_given_paths_are_scanned_once_and_named_sensibly(
    repo: Repo, run_cli: RunCli, tmp_path: Path
) -> None:
    key, outside_key = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    repo.write("sub/a.env", f"SB={key}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.env").write_text(f"SB={outside_key}\n")
    args = ["sub/a.env", "sub", "./sub/a.env", str(elsewhere / "b.env")]
    _, report = scan_json(run_cli, repo, *args, keys=[key, outside_key])
    assert [(f["file"], f["line"]) for f in report["findings"]] == [
        ("sub/a.env", 1),
        (str(elsewhere / "b.env"), 1),
    ]


def test_user_git_configuration_does_not_change_what_staged_sees(
    repo: Repo, run_cli: RunCli
) -> None:
    """Settings that reshape `git diff` output (prefixes, colour, context, quoting, relative
    paths, external diff and textconv drivers) must not hide keys or garble paths."""
    for name, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("diff.context", "0"),
        ("diff.relative", "true"),
        ("core.quotePath", "true"),
        ("diff.suppressBlankEmpty", "true"),
        ("diff.external", "false"),
        ("diff.renames", "copies"),
        ("diff.ignoreSubmodules", "all"),
        ("diff.hide.textconv", "sed s/./x/g"),
        ("diff.hide.binary", "false"),
    ]:
        repo.git("config", name, value)
    repo.stage(".gitattributes", "*.env diff=hide\n")
    sub = new_key("syncline-platform-key")
    keys = {name: new_key("scrapebit-api-key") for name in ("sub dir/é x.env", "top.env")}
    for name, key in keys.items():
        repo.stage(name, f"A=1\n\nB=2\nSB={key}\n")
    repo.stage("sub dir/conf.yaml", "syncline:\n\n\n\n  platform_key: " + sub + "\n")
    expected = {(hashed_secret(k), n, 4) for n, k in keys.items()}
    expected.add((hashed_secret(sub), "sub dir/conf.yaml", 5))
    outcome = run_cli(
        ["scan", "--staged", "--format", "json"], repo.path / "sub dir", keys=[*keys.values(), sub]
    )
    assert outcome.code == 1, outcome.err
    assert hash_file_line(json.loads(outcome.out)) == expected


def test_text_that_gitattributes_call_binary_is_still_scanned(repo: Repo, run_cli: RunCli) -> None:
    """`*.env -diff` or `binary` hides text from `git diff`: --staged diffs those files again
    as text, so the commit is still blocked; real binaries stay named."""
    old, added, moved = (new_key("electronhub-api-key") for _ in range(3))
    body = "".join(f"LINE_{n}=1\n" for n in range(20))
    repo.stage(".gitattributes", "*.env -diff\n*.dat binary\n*.bin diff=nothing\n")
    repo.stage("kept.env", body + f"OLD={old}\n")
    repo.stage("old name.env", body + f"MOVED={moved}\n")
    repo.commit()
    keys = [old, added, moved, *(new_key("scrapebit-api-key") for _ in range(3))]
    repo.stage("kept.env", body + f"OLD={old}\nNEW={added}\n")
    repo.git("mv", "old name.env", "new name.env")
    repo.stage("new name.env", body + f"MOVED={moved}\nNEW={keys[3]}\n")
    repo.stage("notes.dat", f"SB={keys[4]}\n")
    repo.stage("blob.bin", b"\x00\x01" + keys[5].encode() + b"\n")
    repo.stage("café.env", f"SB={keys[5]}\n")
    unnamable = os.fsdecode(b"bad\xff.env")  # not UTF-8: cannot be asked for again by name
    repo.write(unnamable, "x\n")
    repo.git("add", "--", unnamable)
    outcome, report = scan_json(run_cli, repo, "--staged", keys=keys)
    assert outcome.code == 1
    assert hash_file_line(report) == {
        (hashed_secret(added), "kept.env", 22),
        (hashed_secret(keys[3]), "new name.env", 22),
        (hashed_secret(keys[4]), "notes.dat", 1),
        (hashed_secret(keys[5]), "café.env", 1),
    }
    assert skipped_files(report) == {"blob.bin": "binary", "bad\\xff.env": "binary"}


def test_utf16_text_git_calls_binary_is_scanned(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage(".gitattributes", "*.ps1 -diff\n")
    repo.stage("setup.ps1", f"$env:SCRAPEBIT_API_KEY = '{key}'\r\n".encode("utf-16"))
    _, report = scan_json(run_cli, repo, "--staged", keys=[key])
    assert skipped_files(report) == {}
    assert hash_file_line(report) == {(hashed_secret(key), "setup.ps1", 1)}
