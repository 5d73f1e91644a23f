"""Annotated tag messages: read from the tag objects, scanned like a commit message.

A key in one is reported in the file `<tag message: NAME>` at its line in the message, with
the tag object's id as `commit` (`git show ID` shows it) and the tagger as author.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leakstop import git
from leakstop.detect.engine import Detector
from leakstop.errors import LeakstopError
from leakstop.findings import Block, CommitInfo, Sighting, Skipped
from leakstop.sources.objects import DAMAGED, GitObject, identity, read_objects

MESSAGE_PREFIX = "<tag message: "


def message_path(name: str) -> str:
    """The file name of a finding in the message of tag `name`."""
    return f"{MESSAGE_PREFIX}{name}>"


@dataclass
class TagScan:
    sightings: list[Sighting] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    tags: int = 0


def annotated_tags(root: Path) -> list[str]:
    """The ids of the tag objects that refs point at (what `--all` sees). If git cannot read
    some object to tell its type, every id under refs/tags is returned (`scan_tags` reads
    them one by one and names what it cannot read)."""
    try:
        out = git.run(["for-each-ref", "--format=%(objecttype) %(objectname)"], root)
    except LeakstopError:
        ids = git.run(["for-each-ref", "--format=%(objectname)", "refs/tags"], root)
        return list(dict.fromkeys(ids.decode("ascii", "replace").split()))
    return list(dict.fromkeys(sha for kind, sha in _pairs(out) if kind == "tag"))


def tag_objects(root: Path, revisions: Iterable[str]) -> list[str]:
    """Those of `revisions` (object ids) that name a tag object."""
    wanted = [r for r in dict.fromkeys(revisions) if r and r.isalnum()]
    if not wanted:
        return []
    query = "".join(f"{r}\n" for r in wanted).encode()
    out = git.run(["cat-file", "--batch-check=%(objecttype) %(objectname)"], root, data=query)
    return [sha for kind, sha in _pairs(out) if kind == "tag"]


def _pairs(out: bytes) -> list[tuple[str, str]]:
    pairs = (line.partition(" ") for line in out.decode("ascii", "replace").splitlines())
    return [(kind, sha) for kind, _, sha in pairs]


def scan_tags(root: Path, tags: Sequence[str], detector: Detector) -> TagScan:
    """The messages of the tag objects `tags`, and of the tags they point at in turn."""
    result = TagScan()
    queue: list[str] = list(tags)
    seen: set[str] = set()
    while queue:
        batch = [t for t in dict.fromkeys(queue) if t not in seen]
        seen.update(batch)
        queue = []
        for tag in read_objects(root, batch):
            if tag.kind in (None, DAMAGED):
                reason = f"unreadable (tag object {'missing' if tag.kind is None else DAMAGED})"
                result.skipped.append(Skipped(message_path(tag.sha[:12]), reason, tag.sha))
            if tag.kind != "tag":
                continue  # a lightweight tag: a commit, whose message the commit scan reads
            queue.extend(_scan_one(tag, detector, result))
    return result


def _scan_one(tag: GitObject, detector: Detector, result: TagScan) -> list[str]:
    """Scan one tag object's message; returns the tag it points at, if it points at one."""
    fields = tag.headers()
    name = (fields.get("tag") or [tag.sha[:12]])[0]
    author, date = identity((fields.get("tagger") or [""])[0])
    commit = CommitInfo(sha=tag.sha, author=author, date=date)
    path = message_path(name)
    result.tags += 1
    block = Block(path=path, text=tag.message())
    result.sightings.extend(Sighting(hit, path, commit) for hit in detector.scan(block))
    return fields.get("object", []) if fields.get("type") == ["tag"] else []
