"""Scan the patch text of `git log -p` for keys at the speed git writes it.

The stream is consumed in large chunks. Instead of parsing every line, each chunk is searched
for the rules' anchors (the literal key prefixes, or for prefix-less rules a literal-led
regex) with C-speed searches; only the hunks around an anchor are decoded and handed to the
ordinary `Detector` as blocks. Chunks are cut at hunk boundaries, so every hunk is seen
whole, and a hunk larger than the size limit is skipped and named, which keeps memory
bounded whatever the repository holds.

A zero-context patch hides the unchanged lines around a key. Where a rule needs context
that the hunk lacks, and where git printed "Binary files differ" for text (because of
`.gitattributes`), the objects themselves are read on demand (`BlobContext`).

Commit messages are scanned too (people paste keys there, and a pushed message is as public
as a file): a key in one is reported in the file `<commit message>`, at its line in the
message (1 is the subject line).

Expected input: `git log -p -U0 --cc` with `COMMIT_FORMAT`: a \x01 byte starts each commit
header line (sha, author date, author, separated by \x01), and the message follows indented by
four spaces. Neither can be mistaken for a diff line, which starts with one of ` +-\\@` or a
header word, and no message line can look like a `diff --git` or `@@` line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leakstop.detect.decode import ENCODED_MARKERS, ENCODED_PATTERNS, base64_anchor
from leakstop.detect.engine import Detector
from leakstop.findings import Block, CommitInfo, Hit, Sighting
from leakstop.providers.base import Rule
from leakstop.sources.blob_context import BlobContext
from leakstop.sources.diff import decode_path, unquote_path
from leakstop.sources.text import DEFAULT_MAX_BYTES, decode

# Not NUL: git's %w() indentation stops at a NUL byte in the text before it.
COMMIT_FORMAT = "--format=%x01%H%x01%aI%x01%an <%ae>%n%w(0,4,4)%B"
COMMIT_MESSAGE = "<commit message>"
"""The file name of a finding in a commit message."""

_COMMIT = b"\n\x01"
_INDENT = b"    "
_FILE = b"\ndiff --"
_HUNK = b"\n@@"
# One id per parent before `..` (a merge's combined diff lists them all, comma-separated).
_INDEX = re.compile(rb"\nindex ((?:[0-9a-f]{40,64},)*[0-9a-f]{40,64})\.\.([0-9a-f]{40,64})")
_HUNK_HEADER = re.compile(rb"^(@@+) (?:-\d+(?:,\d+)? )+\+(\d+)(?:,\d+)? @@")


@dataclass
class StreamStats:
    commits: int = 0
    bytes: int = 0
    files: int = 0
    """File changes seen (one per file per commit)."""


class PatchStreamScanner:
    """Feed it chunks of patch text; it collects sightings (hits with their file and commit),
    skipped files and totals."""

    def __init__(
        self,
        detector: Detector,
        max_bytes: int = DEFAULT_MAX_BYTES,
        context: BlobContext | None = None,
    ) -> None:
        self.detector = detector
        self.max_bytes = max_bytes
        self.context = context
        # Rules whose matches may need the file around a hunk; structural rules read it
        # themselves, through the block's `whole` reader.
        self._contextual = tuple(r for r in detector.rules if r.context and not r.structural)
        self.sightings: list[Sighting] = []
        self.skipped: dict[str, str] = {}
        self.stats = StreamStats()
        self._anchors, self._patterns = _anchors(detector)
        self._pending = b"\n"  # so the first commit header is found like every other
        self._commit: CommitInfo | None = None
        self._file: str | None = None
        self._discarding = False
        self._nul_done: set[tuple[str, str]] = set()
        self._index: tuple[list[str], str] | None = None
        """The blob ids of the last file header seen (for a file continued in a new region)."""

    def feed(self, chunk: bytes) -> None:
        self.stats.bytes += len(chunk)
        buffer = self._pending + chunk
        cut = max(buffer.rfind(_COMMIT), buffer.rfind(_FILE), buffer.rfind(_HUNK))
        if cut <= 0:
            if len(buffer) > self.max_bytes:
                self._skip_oversized()
                buffer = buffer[-(1 << 12) :]  # keep a tail: the next boundary may straddle
            self._pending = buffer
            return
        self._pending = buffer[cut:]
        self._region(buffer[:cut])

    def finish(self) -> None:
        if self._pending.strip(b"\n"):
            self._region(self._pending + b"\n")
        self._pending = b""

    # -- one region made of whole hunks -------------------------------------------------
    def _region(self, region: bytes) -> None:
        if self._discarding:
            # The tail of an oversized hunk: drop it up to its first boundary.
            first = _first_boundary(region, 0)
            region = region[first:] if first >= 0 else b""
            self._discarding = False
        self.stats.commits += region.count(_COMMIT)
        self.stats.files += region.count(_FILE)
        for hunk_start in sorted(self._candidate_hunks(region)):
            self._scan_hunk(region, hunk_start)
        if b"\0" in region:  # nothing else in git's output holds NUL bytes: see _note_nul_text
            self._note_nul_text(region)
        self._remember_headers(region)
        self._note_binaries(region)

    def _candidate_hunks(self, region: bytes) -> set[int]:
        starts: set[int] = set()
        for anchor in self._anchors:
            pos = region.find(anchor)
            while pos >= 0:
                if region[region.rfind(b"\n", 0, pos) + 1 : pos + 1][:1] != b"-":
                    starts.update(self._hunks_for(region, pos))
                pos = region.find(anchor, pos + len(anchor))
        for pattern, on_line in self._patterns:
            for match in pattern.finditer(region):
                line_start = region.rfind(b"\n", 0, match.start()) + 1
                if region[line_start : line_start + 1] == b"-":
                    continue  # a removed line is never reported
                line_end = region.find(b"\n", match.end())
                line = region[line_start : line_end if line_end >= 0 else len(region)]
                # The rule's own-line requirement (ECGrid's credential label), checked before
                # a hunk is decoded: most GUIDs in code are identifiers.
                if all(needed.search(line) for needed in on_line):
                    starts.update(self._hunks_for(region, match.start()))
        return starts

    def _hunks_for(self, region: bytes, pos: int) -> list[int]:
        """The hunk holding `pos`, or the commit whose message holds it (none for a position
        in a header line)."""
        hunk = region.rfind(_HUNK, 0, pos)
        commit = region.rfind(_COMMIT, 0, pos)
        header = max(region.rfind(_FILE, 0, pos), commit)
        line_start = region.rfind(b"\n", 0, pos)
        if hunk > header and hunk != line_start:
            return [hunk]
        if header == commit >= 0 and line_start > commit:
            return [commit]  # past the commit's header line: in its message
        return []

    def _scan_hunk(self, region: bytes, start: int) -> None:
        if region.startswith(_COMMIT, start):
            self._scan_message(region, start)
            return
        end = _first_boundary(region, start + 1)
        hunk = region[start + 1 : end if end >= 0 else len(region)]
        header_end = hunk.find(b"\n")
        match = _HUNK_HEADER.match(hunk)
        if match is None or header_end < 0:
            return
        width = len(match.group(1)) - 1  # parents: 1, or more in a merge's combined diff
        number = int(match.group(2))
        first, lines, added = number, [], set()
        for raw in hunk[header_end + 1 :].split(b"\n"):
            marks = raw[:width]
            if not marks or b"-" in marks or marks.startswith(b"\\"):
                continue  # removed line, "\ No newline", or the trailing empty piece
            if marks == b"+" * width:  # new against every parent: introduced here
                added.add(number)
            lines.append(decode(raw[width:].rstrip(b"\r")))
            number += 1
        if not added:
            return
        path = self._path_before(region, start)
        commit = self._commit_before(region, start)
        whole = None
        if self.context is not None and commit is not None:
            whole = functools.partial(self.context.whole, commit.sha, path)
        block = Block(
            path=path,
            text="\n".join(lines),
            first_line=first,
            added=frozenset(added),
            whole=whole,
        )
        hits = self.detector.scan(block)
        self._record(hits, path, commit)
        if self.context is not None and commit is not None and self._contextual:
            self._look_wider(block, hits, commit)

    def _scan_message(self, region: bytes, start: int) -> None:
        """The message of the commit whose header line starts at `start`: the indented
        lines after it."""
        header_end = region.find(b"\n", start + 1)
        if header_end < 0:
            return
        commit = _commit_info(region[start + 2 : header_end])
        lines, pos = [], header_end + 1
        while region.startswith(_INDENT, pos):
            end = region.find(b"\n", pos)
            end = len(region) if end < 0 else end
            lines.append(decode(region[pos + len(_INDENT) : end].rstrip(b"\r")))
            pos = end + 1
        block = Block(path=COMMIT_MESSAGE, text="\n".join(lines))
        self._record(self.detector.scan(block), COMMIT_MESSAGE, commit)

    def _record(self, hits: Iterable[Hit], path: str, commit: CommitInfo | None) -> None:
        self.sightings.extend(Sighting(hit, path, commit) for hit in hits)

    def _look_wider(self, block: Block, hits: list[Hit], commit: CommitInfo) -> None:
        """A contextual rule's match on an added line that the hunk alone did not confirm:
        judge it again on the lines around it in the file as this commit left it."""
        assert self.context is not None and block.added is not None
        found = {(hit.line, hit.secret) for hit in hits}
        for rule in self._contextual:
            for match in rule.pattern.finditer(block.text):
                line = block.first_line + block.text.count("\n", 0, match.start())
                if line not in block.added or (line, match.group()) in found:
                    continue
                start = block.text.rfind("\n", 0, match.start()) + 1
                end = block.text.find("\n", match.end())
                own_line = block.text[start : end if end >= 0 else len(block.text)]
                if not all(p.search(own_line) for p in rule.line_context_patterns):
                    continue  # cheap: the key's own line already rules it out
                window = self.context.window(commit.sha, block.path, line)
                if window is not None:
                    wider = [
                        h for h in self.detector.scan(window) if (h.line, h.secret) not in found
                    ]
                    found.update((h.line, h.secret) for h in wider)
                    self._record(wider, block.path, commit)

    # -- headers ------------------------------------------------------------------------
    def _path_before(self, region: bytes, pos: int) -> str:
        header = region.rfind(_FILE, 0, pos)
        if header < 0 or region.rfind(_COMMIT, 0, pos) > header:
            return self._file or "?"
        return _header_path(region[header + 1 : pos])

    def _commit_before(self, region: bytes, pos: int) -> CommitInfo | None:
        at = region.rfind(_COMMIT, 0, pos)
        if at < 0:
            return self._commit
        end = region.find(b"\n", at + 1)
        return _commit_info(region[at + 2 : end if end >= 0 else len(region)])

    def _remember_headers(self, region: bytes) -> None:
        self._commit = self._commit_before(region, len(region))
        header = region.rfind(_FILE)
        if header >= 0 and header > region.rfind(_COMMIT):
            self._file = _header_path(region[header + 1 :])
            self._index = _index(region, header, len(region))
        elif region.rfind(_COMMIT) >= 0:
            self._file = self._index = None

    def _note_binaries(self, region: bytes) -> None:
        pos = region.find(b"\nBinary files ")
        while pos >= 0:
            path = self._path_before(region, pos)
            if not self._binary_as_text(region, pos, path):
                self.skipped.setdefault(path, "binary")
            pos = region.find(b"\nBinary files ", pos + 1)

    def _note_nul_text(self, region: bytes) -> None:
        """Changes git showed as text although they hold NUL bytes (a `diff` attribute on a
        UTF-16 file, or on a binary one): read like a change git called binary."""
        pos = region.find(b"\0")
        while pos >= 0:
            start = max(region.rfind(_FILE, 0, pos), region.rfind(_COMMIT, 0, pos))
            # Before any header: the file whose header an earlier region ended with.
            if start < 0 or region.startswith(_FILE, start):
                path = self._path_before(region, pos)
                commit = self._commit_before(region, pos)
                done = (commit.sha if commit else "", path)
                if done not in self._nul_done:
                    self._nul_done.add(done)
                    if not self._binary_as_text(region, pos, path):
                        self.skipped.setdefault(path, "binary")
            following = [region.find(b, pos) for b in (_FILE, _COMMIT)]
            end = min((f for f in following if f >= 0), default=-1)
            pos = region.find(b"\0", end) if end >= 0 else -1

    def _binary_as_text(self, region: bytes, pos: int, path: str) -> bool:
        """Scan a change git called binary when the new content is text after all
        (`.gitattributes` `-diff`/`binary`); False when it really is binary."""
        header = region.rfind(_FILE, 0, pos)
        commit = self._commit_before(region, pos)
        if header < 0 and region.rfind(_COMMIT, 0, pos) < 0:
            index = self._index  # the header is in an earlier region
        else:
            index = _index(region, header, pos) if header >= 0 else None
        if self.context is None or index is None or commit is None:
            return False
        olds, new = index
        blocks = list(self.context.text_change(olds, new, path))
        for block in blocks:
            self._record(self.detector.scan(block), path, commit)
        return bool(blocks)

    def _skip_oversized(self) -> None:
        path = self._file or "?"
        self.skipped[path] = f"a change larger than {self.max_bytes} bytes"
        self._discarding = True


def _stream_literals(rules: Sequence[Rule]) -> tuple[bytes, ...]:
    """Literals that, found in a stream of patches, make a hunk worth scanning besides the
    rules' own prefixes and anchors: encoded prefixes, Secrets, `auth`."""
    found = {base64_anchor(r.prefix.encode()) for r in rules if len(r.prefix) >= 3}
    found.update(ENCODED_MARKERS)
    # A literal that starts with another is found by the shorter one.
    return tuple(sorted(w for w in found if not any(w != o and w.startswith(o) for o in found)))


def _anchors(
    detector: Detector,
) -> tuple[list[bytes], list[tuple[re.Pattern[bytes], tuple[re.Pattern[bytes], ...]]]]:
    """What to search for: literal key prefixes; for prefix-less rules their anchor regex
    (a literal-led part of every key; else their whole pattern: correct, but slower), with
    the regexes the key's own line must match."""
    # Encoded keys (detect/decode.py): their literals, and literal-led regexes.
    literals: list[bytes] = list(_stream_literals(detector.rules))
    patterns: list[tuple[re.Pattern[bytes], tuple[re.Pattern[bytes], ...]]] = [
        (re.compile(pattern), ()) for pattern in ENCODED_PATTERNS
    ]
    for rule in detector.rules:
        if rule.prefix:
            literal = rule.prefix.encode()
            if not any(literal.startswith(other) for other in literals):
                literals = [o for o in literals if not o.startswith(literal)] + [literal]
        else:
            on_line = tuple(re.compile(c.encode(), re.IGNORECASE) for c in rule.line_context)
            patterns.append((re.compile((rule.anchor or rule.pattern.pattern).encode()), on_line))
    return literals, patterns


def _index(region: bytes, start: int, end: int) -> tuple[list[str], str] | None:
    """The blob ids before (one per parent) and after the change whose header is at
    `start`, from its `index` line (none for a mode-only change or a combined header)."""
    match = _INDEX.search(region, start, end)
    if match is None or region.rfind(_FILE, start + 1, match.start()) >= 0:
        return None
    return match.group(1).decode().split(","), match.group(2).decode()


def _first_boundary(region: bytes, start: int) -> int:
    found = [p for p in (region.find(b, start) for b in (_COMMIT, _FILE, _HUNK)) if p >= 0]
    return min(found) if found else -1


def _header_path(header: bytes) -> str:
    """The new path of a file header: its `+++ b/…` line, else `rename to`, else the
    `diff --git` line (binary files and mode-only changes have no `+++`)."""
    for line in header.split(b"\n"):
        if line.startswith(b"+++ ") and line[4:] != b"/dev/null":
            # git ends the line with a tab when an unquoted name contains a space
            path = unquote_path(line[4:].removesuffix(b"\t"))
            return path[2:] if path.startswith("b/") else path
    for line in header.split(b"\n"):
        if line.startswith(b"rename to "):
            return unquote_path(line[10:])
    first = header.split(b"\n", 1)[0]
    for prefix in (b"diff --git ", b"diff --cc ", b"diff --combined "):
        if first.startswith(prefix):
            rest = first[len(prefix) :]
            if prefix != b"diff --git ":
                return unquote_path(rest)
            half = (len(rest) - 1) // 2
            return decode_path(rest[half + 3 :]) if len(rest) % 2 else decode_path(rest)
    return "?"


def _commit_info(header: bytes) -> CommitInfo:
    parts = header.split(b"\x01", 2)
    sha = parts[0].decode("ascii", "replace")
    date = parts[1].decode("ascii", "replace") if len(parts) > 1 else ""
    author = parts[2].decode("utf-8", "replace") if len(parts) > 2 else ""
    return CommitInfo(sha=sha, author=author, date=date)
