"""The index against HEAD: exactly what `git commit` would record, added lines only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from leakstop.detect.engine import CONTEXT_LINES, Block
from leakstop.findings import Skipped
from leakstop.sources import diff, git

DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    # As many context lines as a contextual rule may look back, so a staged key is judged
    # on the same lines as in a whole-file scan.
    f"--unified={CONTEXT_LINES}",
    "--find-renames",  # a pure rename adds no line
    "--diff-filter=d",  # deleted files add nothing
    "--ignore-submodules=none",  # submodule pointers are shown, and named as not scanned
    "--submodule=short",  # as a plain diff, whatever diff.submodule says (log, diff)
)


def staged(root: Path, max_bytes: int) -> Iterator[Block | Skipped]:
    # On an unborn branch `git diff --cached` compares with the empty tree: first commits work.
    yield from diff.parse(git.stream(["diff", "--cached", *DIFF_OPTIONS], root), max_bytes)
