"""What a zero-context patch does not show, read from the repository's objects on demand:
the lines around a key (for rules that need context) and the text of files that git diffed
as binary only because `.gitattributes` says so. Both are rare, so one `cat-file` process
per stream serves them without slowing the stream down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import CONTEXT_LINES, CONTEXT_LINES_AFTER, Block
from leakstop.sources import diff
from leakstop.sources.text import decode, skip_reason

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
        lines = decode(data).split("\n")
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
        text = None if data is None else decode(data)
        self._last = (name, text)
        return text

    def text_change(self, old: str, new: str, path: str) -> Iterator[Block]:
        """The added lines of a change git showed as binary, when the new content is text
        (nothing when it really is binary)."""
        data = self._text(new)
        if data is None:
            return
        if old in _NULL_SHA:
            yield Block(path=path, text=decode(data))
            return
        lines = git.stream(["diff", "--text", "--unified=5", "--no-color", old, new], self.root)
        for item in diff.parse(lines, self.max_bytes):
            if isinstance(item, Block):
                yield Block(path=path, text=item.text, first_line=item.first_line, added=item.added)

    def _text(self, name: str) -> bytes | None:
        data = self.reader.read(name, self.max_bytes)
        if data is None or skip_reason(data[:8192]) is not None:
            return None
        return data

    def close(self) -> None:
        self.reader.close()
