"""The text a finding of a commit scan was made in, read again from the repository (a sweep
checks the keys of earlier runs, of which it kept no copy)."""

from __future__ import annotations

from pathlib import Path

from leakstop import git
from leakstop.sources.objects import read_objects
from leakstop.sources.patch_stream import COMMIT_MESSAGE
from leakstop.sources.tags import MESSAGE_PREFIX
from leakstop.sources.text import decode_file


def text_at(root: Path, commit: str, file: str) -> str | None:
    """`file` as `commit` left it; for a message finding, the message of that commit or tag
    object. None if it cannot be read."""
    if file == COMMIT_MESSAGE or file.startswith(MESSAGE_PREFIX):
        found = read_objects(root, [commit])
        if found and found[0].kind in ("commit", "tag"):
            return found[0].message()
        return None
    data = git.run(["cat-file", "blob", f"{commit}:{file}"], root, check=False)
    return decode_file(data) if data else None
