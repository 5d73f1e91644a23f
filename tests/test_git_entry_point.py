"""The one git entry point (leakstop/git.py) on the failures callers rely on it to name: a
working directory that is not there, a streamed command that fails after starting, an
error with blank lines around it, and the object reader's answers for what is not a
readable blob."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakstop import git
from leakstop.errors import LeakstopError
from tests.testing import Repo


def test_a_missing_working_directory_is_named(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    with pytest.raises(LeakstopError, match=f"^not a directory: {gone}$"):
        git.run(["status"], gone)


def test_a_streamed_command_that_fails_raises_after_its_output(repo: Repo) -> None:
    repo.stage("a.txt", "a\n")
    repo.commit("one")
    lines: list[bytes] = []
    with pytest.raises(LeakstopError) as caught:
        for line in git.stream(["log", "--format=%s", "HEAD", "no-such-revision"], repo.path):
            lines.append(line)
    assert lines == []
    assert str(caught.value).startswith("git log failed: ")
    assert "\n" not in str(caught.value)


def test_a_failure_is_named_by_gits_own_error_not_a_hint(repo: Repo) -> None:
    repo.commit("one")
    with pytest.raises(LeakstopError) as caught:
        git.run(["log", "HEAD", "no-such-revision"], repo.path)
    assert "no-such-revision" in str(caught.value)


def test_first_line_skips_blank_lines_and_advice() -> None:
    assert git.first_line(b"\n   \n fatal: bad object \nhint: more\n") == "fatal: bad object"
    assert git.first_line(b"hint: a tip\nhint:\nerror: the error\n") == "error: the error"
    assert git.first_line(b"\n \nhint: only advice\n") == "no error message"


def test_the_blob_reader_answers_none_for_what_is_no_readable_blob(repo: Repo) -> None:
    repo.stage("big.txt", "x" * 100)
    commit = repo.commit("one")
    reader = git.BlobReader(repo.path)
    try:
        assert reader.read(commit, 1 << 20) is None  # a commit, not a blob
        assert reader.read("HEAD:big.txt", 99) is None  # over the limit
        assert reader.read("HEAD:nothing.txt", 1 << 20) is None  # missing
        assert reader.read("HEAD:big\n.txt", 1 << 20) is None  # not expressible in the protocol
        # The process stays in step after each of them.
        assert reader.read("HEAD:big.txt", 100) == b"x" * 100
    finally:
        reader.close()
