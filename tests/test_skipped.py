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
from tests.conftest import Outcome, Repo
from tests.keys import new_key

LFS_SPEC = "https://git-lfs.github.com/spec/v1"


def _scan(run_cli: Any, repo: Repo, *args: str, keys: list[str]) -> dict[str, Any]:
    outcome: Outcome = run_cli(["scan", "--format", "json", *args], repo.path, keys=keys)
    assert outcome.code in (0, 1), outcome.err
    report: dict[str, Any] = json.loads(outcome.out)
    return report


def _found(report: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(f["hashed_secret"], f["file"], f["line"]) for f in report["findings"]}


def _skipped(report: dict[str, Any]) -> dict[str, str]:
    return {s["file"]: s["reason"] for s in report["scan"]["skipped"]}


# -- git-lfs pointers ---------------------------------------------------------------------------


def _pointer(extensions: int = 0, size: int = 12345) -> str:
    ext = "".join(f"ext-{i}-foo sha256:{format(i, 'x') * 64}\n" for i in range(extensions))
    return f"version {LFS_SPEC}\n{ext}oid sha256:{'4d' * 32}\nsize {size}\n"


@pytest.mark.parametrize("mode", [["--staged"], [], ["--history"]])
def test_only_a_real_lfs_pointer_is_skipped(repo: Repo, run_cli: Any, mode: list[str]) -> None:
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
    report = _scan(run_cli, repo, *mode, keys=keys)
    found = {(file, line) for _, file, line in _found(report)}
    assert found == {("notes.md", 2), ("fake.bin", 4), ("upper.bin", 4), ("big.txt", 602)}
    if mode != ["--history"]:  # history reads changes, where a pointer has nothing to skip
        skipped = _skipped(report)
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
    assert _found(tracked) == {(hashed_secret(readable), "ok.env", 1)}
    assert _skipped(tracked) == {"secret.env": denied, "locked/inner.env": denied}
    assert _found(walked) == {(hashed_secret(readable), "ok.env", 1)}
    assert _skipped(walked) == {
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
    assert _skipped(inside) == {"locked/inner.env": denied}
    assert _found(inside) == {(hashed_secret(readable), "ok.env", 1)}
