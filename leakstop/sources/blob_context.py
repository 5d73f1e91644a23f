"""What a zero-context patch does not show, read from the repository's objects on demand:
the lines around a key (for rules that need context), and the text of files git diffed as
binary although they are text: UTF-16/UTF-32 files, and files `.gitattributes` calls binary.
All are rare, so one `cat-file` process per stream serves them without slowing it down."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import CONTEXT_LINES, CONTEXT_LINES_AFTER
from leakstop.findings import Block
from leakstop.sources import diff
from leakstop.sources.line_diff import added_lines
from leakstop.sources.text import decode_file, skip_reason, wide_encoding

_NULL_SHA = frozenset({"0" * 40, "0" * 64})


class BlobContext:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.reader = git.BlobReader(root)
        self._last: tuple[str, str | None] | None = None

    def window(self, commit: str, path: str, line: int) -> Block | None:
        """Line `line` of `path` as `commit` left it, with the lines a context rule may
        look at around it; only that line is reportable."""
        data = self._text(f"{commit}:{path}")
        if data is None:
            return None
        lines = decode_file(data).split("\n")
        if not 1 <= line <= len(lines):
            return None
        low, high = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES_AFTER)
        text = "\n".join(lines[low - 1 : high])
        return Block(path=path, text=text, first_line=low, added=frozenset({line}))

    def whole(self, commit: str, path: str) -> str | None:
        """The text of `path` as `commit` left it (None if it is not readable text); the
        last one is kept, as every hunk of a file in a commit may ask for it."""
        name = f"{commit}:{path}"
        if self._last is not None and self._last[0] == name:
            return self._last[1]
        data = self._text(name)
        text = None if data is None else decode_file(data)
        self._last = (name, text)
        return text

    def text_change(self, olds: Sequence[str], new: str, path: str) -> Iterator[Block]:
        """The added lines of a change git showed as binary, when the new content is text
        after all (nothing when it really is binary). `olds` names the object before the
        change (one per parent of a merge; a null id for a new file), `new` the one after."""
        data = self._text(new)
        if data is None:
            return
        single = len(olds) == 1
        if single and olds[0] in _NULL_SHA:
            yield Block(path=path, text=decode_file(data))
        elif wide_encoding(data) is not None or not single:
            yield self._line_diff(olds, data, path)
        else:  # UTF-8 text that `.gitattributes` calls binary: git diffs it as text
            args = ["diff", "--text", "--unified=5", "--no-color", olds[0], new]
            for item in diff.parse(git.stream(args, self.root), self.max_bytes):
                if isinstance(item, Block):
                    yield Block(
                        path=path, text=item.text, first_line=item.first_line, added=item.added
                    )

    def wide_change(self, olds: Sequence[str], new: str, path: str) -> Block | None:
        """The change as a block when the new content is UTF-16/UTF-32 text, else None. An
        old object that cannot be read (none before a new file) counts as empty."""
        data = self._text(new)
        if data is None or wide_encoding(data) is None:
            return None
        return self._line_diff(olds, data, path)

    def _line_diff(self, olds: Sequence[str], data: bytes, path: str) -> Block:
        text = decode_file(data)
        before = [self._old_text(old) for old in olds]
        return Block(path=path, text=text, added=added_lines(before, text))

    def _old_text(self, name: str) -> str:
        data = None if name in _NULL_SHA else self.read(name)
        return "" if data is None else decode_file(data)

    def _text(self, name: str) -> bytes | None:
        data = self.read(name)
        if data is None or skip_reason(data) is not None:
            return None
        return data

    def read(self, name: str) -> bytes | None:
        """An object's content (at most `max_bytes`), or None. In a partial clone git tries
        to fetch a missing object and its `cat-file` process stops when it cannot: the object
        counts as missing, and the next read starts a new process."""
        for _ in range(2):
            try:
                return self.reader.read(name, self.max_bytes)
            except (OSError, ValueError):  # the process had stopped: once more with a new one
                with contextlib.suppress(OSError, ValueError):
                    self.reader.close()
                self.reader = git.BlobReader(self.root)
        return None

    def close(self) -> None:
        self.reader.close()
