"""Commits read object by object, for when `git log -p` or `git rev-list` gives up: an object
is missing (a partial clone offline, a damaged copy) or unreadable. What can be read is
scanned, and every commit, tree or blob that cannot be read is named with its commit.

`salvage` scans one commit: its message, then each changed file, from `git diff-tree` (which
needs the trees, not the blobs) and the blobs that are there. A file's added lines are found
by a line diff against its parents' versions; a missing parent version counts as empty, so
its whole text is scanned (a key is then reported in this commit rather than missed). An
exact rename adds nothing, as in `git log --find-renames`.

`reachable_commits` lists what `git rev-list --all` would, walking the commit objects and
stepping over the missing ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import Block, CommitInfo, Sighting, Skipped
from leakstop.sources.blob_context import BlobContext
from leakstop.sources.line_diff import added_lines
from leakstop.sources.objects import DAMAGED, GitObject, identity, object_kinds, read_objects
from leakstop.sources.patch_stream import COMMIT_MESSAGE
from leakstop.sources.text import LFS_REASON, decode_file, skip_reason

WHOLE_COMMIT = "<commit>"
"""The file name under which a commit that could not be read at all is named."""
_NULL = frozenset({"0" * 40, "0" * 64})
_GITLINK = "160000"


@dataclass
class Salvaged:
    sightings: list[Sighting] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Files not scanned for the usual reasons (binary, too large)."""
    unreadable: list[Skipped] = field(default_factory=list)
    commits: int = 0
    """Commits whose object could be read (their message at least was scanned)."""
    lost: int = 0
    """Commits whose object could not be read."""
    files: int = 0
    """File changes looked at."""


@dataclass(frozen=True)
class _Change:
    path: str
    olds: tuple[str, ...]
    new: str
    mode: str


def salvage(root: Path, sha: str, detector: Detector, context: BlobContext, out: Salvaged) -> None:
    """Scan commit `sha` object by object into `out`."""
    # read_objects never raises: an object git stops on comes back as DAMAGED.
    [commit] = read_objects(root, [sha]) or [GitObject(sha, None)]
    if commit.kind != "commit":
        out.lost += 1
        reason = missing("commit", sha, sha)
        if commit.kind == DAMAGED:
            reason = f"unreadable: commit {_short(sha)} is damaged"
        out.unreadable.append(Skipped(WHOLE_COMMIT, reason, sha))
        return
    out.commits += 1
    fields = commit.headers()
    author, date = identity((fields.get("author") or [""])[0])
    info = CommitInfo(sha=sha, author=author, date=date)
    _record(out, detector, Block(path=COMMIT_MESSAGE, text=commit.message()), info)
    try:
        kinds = object_kinds(root, fields.get("parent", []))
        parents = [p for p in fields.get("parent", []) if kinds.get(p) == "commit"]
        changes = _changes(root, sha, fields.get("parent", []), parents)
        present = _present(root, [sha, *parents])
    except LeakstopError as exc:  # a tree missing or damaged
        out.unreadable.append(
            Skipped(WHOLE_COMMIT, f"files unreadable in {_short(sha)}: {exc}", sha)
        )
        return
    for change in changes:
        _scan_change(change, info, present, detector, context, out)


def _scan_change(
    change: _Change,
    info: CommitInfo,
    present: dict[str, int],
    detector: Detector,
    context: BlobContext,
    out: Salvaged,
) -> None:
    path, new = change.path, change.new
    out.files += 1
    if new not in present:
        out.unreadable.append(Skipped(path, missing("blob", new, info.sha), info.sha))
        return
    if present[new] > context.max_bytes:
        out.skipped.setdefault(path, f"a change larger than {context.max_bytes} bytes")
        return
    data = context.read(new)
    if data is None:  # there, but git could not read it
        damaged = f"unreadable: blob {_short(new)} is damaged (commit {_short(info.sha)})"
        out.unreadable.append(Skipped(path, damaged, info.sha))
        return
    reason = skip_reason(data)
    if reason is not None:
        if reason != LFS_REASON:  # `git log` does not name pointers either: nothing is hidden
            out.skipped.setdefault(path, reason)
        return
    text = decode_file(data)
    before = [_old_text(old, present, context) for old in change.olds]
    added = None if all(old in _NULL for old in change.olds) else added_lines(before, text)
    _record(out, detector, Block(path=path, text=text, added=added), info)


def _old_text(old: str, present: dict[str, int], context: BlobContext) -> str:
    if old in _NULL or old not in present or present[old] > context.max_bytes:
        return ""
    data = context.read(old)
    return "" if data is None else decode_file(data)


def _record(out: Salvaged, detector: Detector, block: Block, info: CommitInfo) -> None:
    out.sightings.extend(Sighting(hit, block.path, info) for hit in detector.scan(block))


def _changes(root: Path, sha: str, parents: list[str], present: list[str]) -> list[_Change]:
    """The files commit `sha` changes against its parents (all of them, for a merge), from
    the trees. Parents that are missing (not in `present`) are left out; with none left,
    every file is new."""
    if not present:
        return _all_files(root, sha)
    args = ["diff-tree", "-r", "-z", "--raw", "--no-abbrev", "--no-commit-id", "--no-renames"]
    if len(present) > 1 and len(present) == len(parents):
        args += ["-c", sha]
    else:
        args += [present[0], sha]
    fields = git.run(args, root).split(b"\0")
    changes: list[_Change] = []
    deleted: set[str] = set()
    for meta, raw_path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            continue
        count = len(meta) - len(meta.lstrip(b":"))
        parts = meta.lstrip(b":").decode("ascii", "replace").split()
        modes, shas = parts[: count + 1], parts[count + 1 : 2 * count + 2]
        if len(shas) != count + 1:
            continue
        path = raw_path.decode("utf-8", "backslashreplace")
        if shas[-1] in _NULL:  # deleted
            deleted.update(shas[:-1])
        elif modes[-1] != _GITLINK:  # submodules are scanned in their own repository
            changes.append(_Change(path, tuple(shas[:-1]), shas[-1], modes[-1]))
    # An exact rename (a file deleted and added with the same content) adds no line.
    return [c for c in changes if not (all(o in _NULL for o in c.olds) and c.new in deleted)]


def _all_files(root: Path, sha: str) -> list[_Change]:
    """Every file of commit `sha`, as added (a root commit, or one whose parents are gone)."""
    out = git.run(["ls-tree", "-r", "-z", "--full-tree", sha], root)
    changes = []
    for entry in out.split(b"\0"):
        meta, _, raw_path = entry.partition(b"\t")
        parts = meta.decode("ascii", "replace").split()
        if len(parts) == 3 and parts[1] == "blob":
            path = raw_path.decode("utf-8", "backslashreplace")
            changes.append(_Change(path, ("0" * len(parts[2]),), parts[2], parts[0]))
    return changes


def _present(root: Path, commits: Iterable[str]) -> dict[str, int]:
    """The blobs of the trees of `commits` that are in the repository, with their sizes.
    `rev-list --missing=print` tells them apart without fetching what a partial clone lacks
    (which `cat-file` would try, and fail on offline)."""
    args = ["rev-list", "--objects", "--no-walk", "--missing=print", "--stdin"]
    query = "".join(f"{c}\n" for c in commits).encode()
    listed = git.run(args, root, data=query).decode("ascii", "replace").split("\n")
    there = [line.split(" ", 1)[0] for line in listed if line and not line.startswith("?")]
    if not there:
        return {}
    query = "".join(f"{i}\n" for i in there).encode()
    check = ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"]
    out = git.run(check, root, data=query)
    sizes: dict[str, int] = {}
    for line in out.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    return sizes


def missing(kind: str, sha: str, commit: str) -> str:
    """The reason given for an object that is not in the repository."""
    where = "" if sha == commit else f" (commit {_short(commit)})"
    return f"unreadable: {kind} {_short(sha)} is missing{where}"


def _short(sha: str) -> str:
    return sha[:12]


def reachable_commits(root: Path, known: set[str]) -> tuple[list[bytes], list[Skipped]]:
    """`git rev-list --parents --all` lines for the commits not in `known`, walked object by
    object past missing or damaged ones, and the commits that could not be read."""
    out = git.run(["for-each-ref", "--format=%(objectname)"], root)  # reads no object
    head = git.run(["rev-parse", "--verify", "--quiet", "HEAD"], root, check=False)
    queue = list(dict.fromkeys((out + head).decode("ascii", "replace").split()))
    seen: set[str] = set(queue)
    lines: list[bytes] = []
    lost: list[Skipped] = []
    while queue:
        batch, queue = queue[:1000], queue[1000:]
        for found in read_objects(root, batch):
            if found.kind is None or found.kind == DAMAGED:
                reason = missing("commit", found.sha, found.sha)
                if found.kind == DAMAGED:
                    reason = f"unreadable: object {_short(found.sha)} is damaged"
                lost.append(Skipped(WHOLE_COMMIT, reason, found.sha))
                continue
            if found.kind == "tag":  # a ref to a tag object: follow it
                parents = found.headers().get("object", [])
            elif found.kind == "commit":
                parents = found.headers().get("parent", [])
                if found.sha not in known:
                    lines.append(" ".join([found.sha, *parents]).encode() + b"\n")
            else:
                continue  # a ref to a tree or blob
            fresh = [p for p in parents if p not in seen]
            seen.update(fresh)
            queue.extend(fresh)
    return lines, lost
