"""The history stream scanner on real `git log` output: the same findings whatever the
chunk sizes, merges, quoted paths, oversized hunks and headers split across chunks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from leakstop.detect.engine import Detector
from leakstop.providers import all_rules
from leakstop.scan import findings_of
from leakstop.secrets_text import hashed_secret
from leakstop.sources.blob_context import BlobContext
from leakstop.sources.patch_stream import PatchStreamScanner
from leakstop.sources.revisions import LOG_OPTIONS
from tests.testing import Repo, new_key


def _log(repo: Repo) -> bytes:
    revs = repo.git("rev-list", "--all").encode()
    return subprocess.run(
        ["git", "-c", "core.quotePath=false", *LOG_OPTIONS],
        cwd=repo.path,
        input=revs,
        capture_output=True,
        check=True,
    ).stdout


def _scan(
    data: bytes, chunk: int, max_bytes: int = 1 << 20, root: Path | None = None
) -> PatchStreamScanner:
    context = BlobContext(root, max_bytes) if root is not None else None
    scanner = PatchStreamScanner(Detector(all_rules()), max_bytes, context)
    for start in range(0, len(data), chunk):
        scanner.feed(data[start : start + chunk])
    scanner.finish()
    if context is not None:
        context.close()
    return scanner


def _found(scanner: PatchStreamScanner) -> set[tuple[str, str, str, int, int]]:
    return {
        (f.commit.sha if f.commit else "", f.hashed_secret, f.file, f.line, f.column)
        for f in findings_of(scanner.sightings)
    }


@pytest.fixture
def busy_repo(repo: Repo) -> tuple[Repo, set[str]]:
    keys = {new_key(rule) for rule in ("electronhub-api-key", "scrapebit-api-key")}
    k1, k2 = sorted(keys)
    repo.stage('a b/ü "q".txt', f"x\n{k1}\n")
    repo.stage("big.txt", "".join(f"line {i}\n" for i in range(3000)))
    repo.commit("one")
    repo.git("checkout", "-q", "-b", "side")
    repo.stage("side.cfg", f"token = {k2}\n")
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.stage("big.txt", "".join(f"line {i}\n" for i in range(3000, 3100)))
    repo.commit("rewrite")
    repo.git("merge", "-q", "--no-ff", "side", "-m", "merge")
    return repo, keys


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000, 1 << 20])
def test_findings_do_not_depend_on_chunk_size(busy_repo: tuple[Repo, set[str]], chunk: int) -> None:
    repo, keys = busy_repo
    data = _log(repo)
    reference = _found(_scan(data, 1 << 22))
    assert {h for _, h, *_ in reference} == {hashed_secret(k) for k in keys}
    assert {f for _, _, f, _, _ in reference} == {'a b/ü "q".txt', "side.cfg"}
    scanner = _scan(data, chunk)
    assert _found(scanner) == reference
    assert scanner.stats.commits == 4
    assert scanner.stats.bytes == len(data)


def test_oversized_hunk_is_skipped_and_named(busy_repo: tuple[Repo, set[str]]) -> None:
    repo, _ = busy_repo
    scanner = _scan(_log(repo), 4096, max_bytes=8000)
    assert scanner.skipped.get("big.txt", "").startswith("a change larger than 8000 bytes")
    assert len(_found(scanner)) == 2  # the keys elsewhere are still found


def test_context_reader_handles_missing_and_odd_names(repo: Repo) -> None:
    repo.stage("f.txt", "a\n")
    sha = repo.commit()
    context = BlobContext(repo.path, 1000)
    try:
        assert context.window(sha, "missing.txt", 1) is None
        assert context.window(sha, "f.txt", 9) is None
        assert context.window(sha, "new\nline", 1) is None
        block = context.window(sha, "f.txt", 1)
        assert (
            block is not None and block.text.split("\n")[0] == "a" and block.added == frozenset({1})
        )
        assert list(context.text_change(["0" * 40], "0" * 39 + "1", "x")) == []
    finally:
        context.close()
