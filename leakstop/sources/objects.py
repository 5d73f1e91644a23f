"""Commit and tag objects read in bulk (one `git cat-file --batch` for many ids), for what
`git log` does not show: tag messages, and commits read object by object after git gave up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.sources.text import decode


@dataclass(frozen=True)
class GitObject:
    sha: str
    kind: str | None
    """blob, tree, commit, tag; None when the object is missing."""
    data: bytes = field(repr=False, default=b"")

    def headers(self) -> dict[str, list[str]]:
        """A commit's or tag's header fields (`parent` may repeat), up to the blank line."""
        head = self.data.partition(b"\n\n")[0]
        fields: dict[str, list[str]] = {}
        for line in head.split(b"\n"):
            if line[:1] != b" ":  # a continuation line (a signature) belongs to the last field
                name, _, value = decode(line).partition(" ")
                fields.setdefault(name, []).append(value)
        return fields

    def message(self) -> str:
        return decode(self.data.partition(b"\n\n")[2])


DAMAGED = "damaged"
"""The kind of an object git stopped on (a corrupt file)."""


def read_objects(root: Path, ids: Iterable[str]) -> list[GitObject]:
    """The objects named by `ids`, in order; missing ones with kind None, those git cannot
    read with kind `DAMAGED` (then it stops: the batch is read again one by one)."""
    wanted = [i for i in ids if i and i.isalnum()]
    if not wanted:
        return []
    query = "".join(f"{i}\n" for i in wanted).encode()
    try:
        data = git.run(["cat-file", "--batch"], root, data=query)
    except LeakstopError:
        if len(wanted) == 1:
            return [GitObject(wanted[0], DAMAGED)]
        return [found for one in wanted for found in read_objects(root, [one])]
    objects: list[GitObject] = []
    pos = 0
    for name in wanted:
        end = data.find(b"\n", pos)
        if end < 0:
            break
        header = data[pos:end].split()
        pos = end + 1
        if len(header) != 3:  # "<id> missing" (or ambiguous)
            objects.append(GitObject(name, None))
            continue
        size = int(header[2])
        objects.append(
            GitObject(header[0].decode("ascii"), header[1].decode(), data[pos : pos + size])
        )
        pos += size + 1
    return objects


def object_kinds(root: Path, ids: Iterable[str]) -> dict[str, str]:
    """The type of each of the objects `ids` that exists (missing ones are left out)."""
    wanted = [i for i in dict.fromkeys(ids) if i and i.isalnum()]
    if not wanted:
        return {}
    query = "".join(f"{i}\n" for i in wanted).encode()
    out = git.run(["cat-file", "--batch-check=%(objectname) %(objecttype)"], root, data=query)
    kinds = {}
    for line in out.decode("ascii", "replace").splitlines():
        sha, _, kind = line.partition(" ")
        if kind in ("blob", "tree", "commit", "tag"):
            kinds[sha] = kind
    return kinds


def identity(value: str) -> tuple[str, str]:
    """An author/tagger field, `Name <email> 1700000000 +0100`, as ("Name <email>", ISO 8601
    date); the date is empty when the field does not have one."""
    who, _, when = value.rpartition("> ")
    parts = when.split()
    if not who or len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 5:
        return value, ""
    offset = parts[1]
    try:
        sign = -1 if offset.startswith("-") else 1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
        date = datetime.fromtimestamp(int(parts[0]), timezone(delta)).isoformat()
    except (ValueError, OverflowError, OSError):
        date = ""
    return who + ">", date
