"""Text output survives hostile file names (newline, CR, ESC, bidi override, bytes that are
not UTF-8): each finding stays on its own line and nothing recolours the terminal. Usage
errors take one or two lines, never click's or argparse's usage block."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from leakstop.report.printable import printable
from tests.testing import Repo, RunCli, assert_no_leak, new_key

HOSTILE = {
    b"new\nline.env": "new\\nline.env",
    b"carriage\rreturn.env": "carriage\\rreturn.env",
    b"esc\x1b[31mred.env": "esc\\x1b[31mred.env",
    b"bidi\xe2\x80\xaefdp.env": "bidi\\u202efdp.env",
    b"latin\xe9.env": "latin\\xe9.env",
    b"tab\there.env": "tab\\there.env",
}


@pytest.fixture
def hostile(repo: Repo) -> tuple[Repo, list[str]]:
    keys = []
    for name in HOSTILE:
        key = new_key("electronhub-api-key")
        keys.append(key)
        with open(os.path.join(os.fsencode(repo.path), name), "w") as handle:
            handle.write(f"EH_KEY={key}\n")
    repo.git("add", "-A")
    return repo, keys


def _check(out: str) -> None:
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    lines = out.splitlines()
    for shown in HOSTILE.values():
        matching = [line for line in lines if line.startswith(f"  {shown}:1:")]
        assert len(matching) == 1, (shown, out)
        assert "ElectronHub" in matching[0]


@pytest.mark.parametrize("mode", [[], ["--staged"], ["--history"]])
def test_hostile_names_stay_on_their_line(hostile: tuple[Repo, list[str]], mode: list[str]) -> None:
    repo, keys = hostile
    if mode == ["--history"]:
        repo.commit("hostile names")
    ran = subprocess.run(
        [sys.executable, "-m", "leakstop", "scan", *mode],
        cwd=repo.path,
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    out = ran.stdout.decode("utf-8")  # valid UTF-8 however odd the names
    assert ran.returncode == 1, ran.stderr
    _check(out)
    assert f"{len(HOSTILE)} API keys found" in out
    assert_no_leak([out, ran.stderr.decode("utf-8", "replace")], keys)


def test_hostile_author_and_skipped_names(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    repo.write("k.js", f"k = '{key}'\n")
    (repo.path / "big\x1b[2J.bin").write_bytes(b"\0" * 64)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "x", "--author", "Mallory\x1b[2J\x07 Evil <m@example.invalid>")
    outcome = run_cli(["scan", "--history"], repo.path, keys=[key])
    assert outcome.code == 1
    assert "\x1b" not in outcome.out and "\x07" not in outcome.out
    assert "Mallory\\x1b[2J\\x07 Evil" in outcome.out
    files = run_cli(["scan"], repo.path, keys=[key])
    assert "\x1b" not in files.out
    assert "  big\\x1b[2J.bin: binary" in files.out


def test_printable_keeps_ordinary_text() -> None:
    for text in ("app/settings.py", "café/naïve ü.txt", "日本語.env", "a b\u00a0c"):
        assert printable(text) == text
    assert printable("a\u2028b\u2029c\x7fd\x85") == "a\\u2028b\\u2029c\\x7fd\\x85"
    assert printable("x\udcffy") == "x\\xffy"


# -- usage errors ---------------------------------------------------------------------------

USAGE_ERRORS = [
    ["scan", "--no-such-option"],
    ["scan", "--format", "yaml"],
    ["scan", "--jobs", "0"],
    ["scan", "--range"],
    ["scan", "--max-file-size", "x"],
    ["no-such-command"],
    ["rotate"],
    ["rotate", "--provider", "nope"],
    ["sweep", "--bogus"],
    ["providers", "extra"],
    ["scan", "--format", "x\x1b[31m"],
    ["audit", "--bogus"],
    ["audit", "--diff", "one.baseline"],
    ["audit", "a.baseline", "b.baseline"],
    ["audit", "missing.baseline"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=lambda a: " ".join(a))
def test_usage_errors_fit_on_two_lines(args: list[str], tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "leakstop", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert ran.returncode == 2, (ran.stdout, ran.stderr)
    lines = ran.stderr.splitlines()
    assert 1 <= len(lines) <= 2, ran.stderr
    assert lines[0].startswith("leakstop: error: "), ran.stderr
    assert "Traceback" not in ran.stderr and "\x1b" not in ran.stderr
    assert "Usage:" not in ran.stderr and "usage:" not in ran.stderr
