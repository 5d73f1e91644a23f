"""The index against HEAD: exactly what `git commit` would record, added lines only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from leakstop.detect.engine import Block
from leakstop.findings import Skipped
from leakstop.sources import diff, git

DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--unified=3",
    "--find-renames",
    "--diff-filter=d",  # deleted files add nothing
    "--ignore-submodules=all",  # a submodule is scanned in its own repository
)


def staged(root: Path, max_bytes: int) -> Iterator[Block | Skipped]:
    # On an unborn branch `git diff --cached` compares with the empty tree: first commits work.
    yield from diff.parse(git.stream(["diff", "--cached", *DIFF_OPTIONS], root), max_bytes)
