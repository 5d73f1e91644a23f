"""The index against HEAD: exactly what `git commit` would record, added lines only.

Git calls a file binary when it holds NUL bytes, or when `.gitattributes` says so (`-diff`,
`binary`, a diff driver marked binary): a `*.env -diff` line would otherwise hide every key
in those files from the diff. Files that are binary only by attribute are diffed again with
`--text`; what really holds NUL bytes is then named as binary, the rest is scanned. UTF-16
and UTF-32 text (NUL bytes too) is read from the index and HEAD and compared line by line.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import CONTEXT_LINES
from leakstop.findings import Block, Skipped
from leakstop.sources import diff
from leakstop.sources.text import decode_file, skip_reason

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
_CHUNK = 200
"""Paths per git command line when files are diffed again."""


def staged(root: Path, max_bytes: int) -> Iterator[Block | Skipped]:
    # On an unborn branch `git diff --cached` compares with the empty tree: first commits work.
    binary: list[str] = []
    renamed_from: dict[str, str] = {}
    stream = git.stream(["diff", "--cached", *DIFF_OPTIONS], root)
    reader = git.BlobReader(root)  # starts a process only if a rule asks for a whole file
    try:
        for item in diff.parse(stream, max_bytes, renamed_from):
            if isinstance(item, Skipped) and item.reason == "binary":
                binary.append(item.file)
            elif isinstance(item, Block):
                yield replace(item, whole=_staged_file(root, reader, item, max_bytes))
            else:
                yield item
    finally:
        reader.close()
    if binary:
        yield from _binary_files(root, binary, renamed_from, max_bytes)


def _staged_file(
    root: Path, reader: git.BlobReader, block: Block, max_bytes: int
) -> Callable[[], str | None]:
    """The staged content of the block's file, read on demand (rules that judge a value by
    the structure around it need more than the hunk): the work-tree file when it holds the
    hunk's lines where the index does (no process to start), else the index blob."""

    def read() -> str | None:
        text = _work_tree_copy(root / block.path, block, max_bytes)
        if text is not None:
            return text
        try:
            data = reader.read(f":{block.path}", max_bytes)
        except (OSError, ValueError):  # a damaged object: the hunk alone is judged
            return None
        return None if data is None or skip_reason(data[:8192]) else decode_file(data)

    return read


def _work_tree_copy(path: Path, block: Block, max_bytes: int) -> str | None:
    try:
        if path.is_symlink() or path.stat().st_size > max_bytes:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if skip_reason(data[:8192]):
        return None
    text = decode_file(data)
    lines = text.split("\n")
    hunk = block.text.split("\n")
    first = block.first_line - 1
    same = [line.rstrip("\r") for line in lines[first : first + len(hunk)]]
    return text if same == [line.rstrip("\r") for line in hunk] else None


def _binary_files(
    root: Path, paths: Sequence[str], renamed_from: dict[str, str], max_bytes: int
) -> Iterator[Block | Skipped]:
    paths = yield from _wide_text(root, paths, renamed_from, max_bytes)
    forced = _binary_by_attribute(root, paths) if paths else set()
    for path in paths:
        if path not in forced:
            yield Skipped(path, "binary")
    shown: set[str] = set()
    for chunk in path_chunks(sorted(forced), _CHUNK):
        # Both sides of a rename, so git pairs them again (a pure rename adds no line).
        specs = [f":(literal){p}" for p in chunk]
        specs += [f":(literal){renamed_from[p]}" for p in chunk if p in renamed_from]
        args = ["diff", "--cached", "--text", *DIFF_OPTIONS, "--", *specs]
        yield from diff.parse(git.stream(args, root), max_bytes, shown=shown)
    # A path git did not show again (a name that is not UTF-8) is still named.
    for path in sorted(forced - shown):
        yield Skipped(path, "binary")


def _wide_text(
    root: Path, paths: Sequence[str], renamed_from: dict[str, str], max_bytes: int
) -> Generator[Block | Skipped, None, list[str]]:
    """The UTF-16/UTF-32 text files among `paths` (git calls them binary), as blocks of their
    added lines, and those over the size limit named; returns the other paths."""
    from leakstop.sources.blob_context import BlobContext

    rest: list[str] = []
    sizes = _staged_sizes(root, paths)
    context = BlobContext(root, max_bytes)
    try:
        for path in paths:
            size = sizes.get(path, 0)
            if size > max_bytes:
                yield Skipped(path, f"too large ({size} bytes > limit {max_bytes})")
                continue
            before = f"HEAD:{renamed_from.get(path, path)}"
            block = context.wide_change([before], f":0:{path}", path)
            if block is None:
                rest.append(path)
            else:
                yield block
    finally:
        context.close()
    return rest


def _staged_sizes(root: Path, paths: Sequence[str]) -> dict[str, int]:
    """The size of each path's staged content (paths the line-based query cannot name, or
    that are not there, are left out)."""
    names = [p for p in paths if "\n" not in p]
    if not names:
        return {}
    query = "".join(f":0:{p}\n" for p in names).encode("utf-8", "surrogateescape")
    out = git.run(["cat-file", "--batch-check=%(objectsize)"], root, data=query)
    answers = out.decode("utf-8", "replace").split("\n")
    return {p: int(a) for p, a in zip(names, answers, strict=False) if a.isdigit()}


def _binary_by_attribute(root: Path, paths: Sequence[str]) -> set[str]:
    """The paths whose `diff` attribute (as staged) makes git treat them as binary."""
    forced: set[str] = set()
    for chunk in path_chunks(paths, _CHUNK):
        out = git.run(["check-attr", "--cached", "-z", "diff", "--", *chunk], root)
        fields = out.split(b"\0")
        for i in range(0, len(fields) - 2, 3):
            value = fields[i + 2]
            if value not in (b"unspecified", b"set"):  # unset (-diff, binary) or a driver
                forced.add(diff.decode_path(fields[i]))
    return forced


def path_chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
