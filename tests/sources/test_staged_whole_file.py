"""A staged hunk whose ECGrid key is named as one only far above the hunk (its scope opens
outside it): the staged file is read whole — from the work tree when it still holds the
hunk's lines, else from the index — whatever happened to the work-tree copy since
`git add`, and also when the key is base64-encoded."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli

_FILLER = "".join(f"  option_{i}: {i}\n" for i in range(30))


def _head() -> str:
    return f"# Connection settings for the EDI bridge\necgrid:\n  url: https://rest.ecgrid.io\n{_FILLER}"


def _staged_key(repo: Repo, value: str) -> None:
    repo.stage("config/bridge.yaml", _head())
    repo.commit("settings without the key")
    repo.stage("config/bridge.yaml", _head() + f"  api_key: {value}\n")


def _found(run_cli: RunCli, repo: Repo, key: str, *extra: str) -> list[tuple[str, int]]:
    outcome = run_cli(["scan", "--staged", "--format", "json", *extra], repo.path, keys=[key])
    assert outcome.code in (0, 1), outcome.err
    report = json.loads(outcome.out)
    return [
        (f["file"], f["line"])
        for f in report["findings"]
        if f["hashed_secret"] == hashed_secret(key)
    ]


def _edited(path: Path) -> None:
    path.write_text("# rewritten since it was staged\n" + path.read_text())


def _removed(path: Path) -> None:
    path.unlink()


def _symlink(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/null")


def _binary(path: Path) -> None:
    path.write_bytes(b"\x00\x01\x02" + path.read_bytes())


@pytest.mark.parametrize(
    "after_add",
    [None, _edited, _removed, _symlink, _binary],
    ids=["untouched", "edited", "removed", "symlink", "binary"],
)
def test_the_index_copy_decides_whatever_the_work_tree_holds(
    repo: Repo, run_cli: RunCli, after_add: Callable[[Path], None] | None
) -> None:
    key = str(uuid.uuid4())
    _staged_key(repo, key)
    if after_add is not None:
        after_add(repo.path / "config/bridge.yaml")
    assert _found(run_cli, repo, key) == [("config/bridge.yaml", 34)]


def test_an_encoded_key_in_the_hunk_is_judged_in_the_whole_file(
    repo: Repo, run_cli: RunCli
) -> None:
    key = str(uuid.uuid4())
    _staged_key(repo, base64.b64encode(key.encode()).decode())
    assert _found(run_cli, repo, key) == [("config/bridge.yaml", 34)]
    # The same encoded value with no ECGrid scope anywhere is a GUID like any other.
    other = str(uuid.uuid4())
    repo.stage("config/plain.yaml", "service:\n" + _FILLER)
    repo.commit("plain")
    repo.stage(
        "config/plain.yaml",
        "service:\n" + _FILLER + f"  id: {base64.b64encode(other.encode()).decode()}\n",
    )
    assert _found(run_cli, repo, other) == []


def test_a_staged_file_too_large_to_read_whole_is_judged_on_its_hunk(
    repo: Repo, run_cli: RunCli
) -> None:
    """Over --max-file-size the whole file is not read: the hunk's own lines (here its
    context, which names ECGrid) decide."""
    key = str(uuid.uuid4())
    near = "# Connection settings for the EDI bridge\n" + _FILLER + "ecgrid:\n  retries: 3\n"
    repo.stage("config/bridge.yaml", near)
    repo.commit("settings without the key")
    repo.stage("config/bridge.yaml", near + f"  api_key: {key}\n")
    size = os.path.getsize(repo.path / "config/bridge.yaml")
    assert _found(run_cli, repo, key, "--max-file-size", str(size - 10)) == [
        ("config/bridge.yaml", 34)
    ]


def test_an_encoded_key_in_a_file_too_large_to_read_whole(repo: Repo, run_cli: RunCli) -> None:
    """The same for a base64-encoded key: the hunk's own context decides."""
    key = str(uuid.uuid4())
    near = "# Connection settings for the EDI bridge\n" + _FILLER + "ecgrid:\n  retries: 3\n"
    repo.stage("config/bridge.yaml", near)
    repo.commit("settings without the key")
    encoded = base64.b64encode(key.encode()).decode()
    repo.stage("config/bridge.yaml", near + f"  api_key: {encoded}\n")
    size = os.path.getsize(repo.path / "config/bridge.yaml")
    assert _found(run_cli, repo, key, "--max-file-size", str(size - 10)) == [
        ("config/bridge.yaml", 34)
    ]
