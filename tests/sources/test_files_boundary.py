"""Files mode reads only what is in the work tree: a tracked path reached through a
symlinked directory, or a file swapped for a FIFO, is named as skipped, never followed or
waited on."""

from __future__ import annotations

import os
from pathlib import Path

from leakstop.findings import Skipped
from leakstop.sources.files import blocks, tracked
from tests.testing import init_repo, new_key


def test_tracked_path_behind_a_symlinked_directory_is_named_not_followed(tmp_path: Path) -> None:
    key = new_key("syncline-user-key")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "settings.env").write_text(f"SYNCLINE_KEY={key}\n")
    repo = init_repo(tmp_path / "repo")
    repo.stage("app/settings.env", "SYNCLINE_KEY=\n")
    repo.stage("kept.txt", "plain\n")
    repo.commit("add")
    # The checked-out directory is replaced by a link to elsewhere (a crafted tarball).
    (repo.path / "app" / "settings.env").unlink()
    (repo.path / "app").rmdir()
    (repo.path / "app").symlink_to(outside)

    items = list(tracked(repo.path, 1 << 20))
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [(s.file, s.reason) for s in skipped] == [
        ("app/settings.env", "behind a symbolic link to outside the work tree")
    ]
    assert all(key not in getattr(i, "text", "") for i in items)
    assert any(getattr(i, "path", "") == "kept.txt" for i in items)


def test_a_fifo_where_a_file_was_is_skipped_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (item,) = list(blocks(fifo, "pipe", 1 << 20))
    assert isinstance(item, Skipped) and item.reason == "not a regular file"
