"""A tag of a tag whose inner tag object is missing or damaged: the outer message is
scanned, and the inner one is named as unreadable rather than skipped silently."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, new_key


def _loose(repo: Repo, sha: str) -> Path:
    return repo.path / ".git" / "objects" / sha[:2] / sha[2:]


@pytest.mark.parametrize("harm", ["missing", "damaged"])
def test_an_unreadable_inner_tag_is_named(repo: Repo, run_cli: RunCli, harm: str) -> None:
    inner_key, outer_key = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    repo.stage("a.txt", "a\n")
    repo.commit("one")
    repo.git("tag", "-a", "-m", f"inner {inner_key}", "inner", "HEAD")
    inner = repo.git("rev-parse", "inner").strip()
    repo.git("tag", "-a", "-m", f"outer {outer_key}", "outer", "inner")
    repo.git("update-ref", "-d", "refs/tags/inner")  # reachable only through `outer`
    path = _loose(repo, inner)
    if harm == "missing":
        path.unlink()
    else:
        path.chmod(0o644)
        path.write_bytes(zlib.compress(b"tag 400\0object ")[:-4])
    outcome = run_cli(
        ["scan", "--history", "--format", "json"], repo.path, keys=[inner_key, outer_key]
    )
    assert outcome.code == 1, outcome.err
    report = json.loads(outcome.out)
    assert {f["hashed_secret"] for f in report["findings"]} == {hashed_secret(outer_key)}
    named = {
        (s["file"], s["reason"]) for s in report["scan"]["skipped"] if s.get("commit") == inner
    }
    assert (f"<tag message: {inner[:12]}>", f"unreadable (tag object {harm})") in named
