"""The state directory's building blocks on a real file system: atomic replacement that
leaves nothing behind when it fails, a state file that is damaged, and the per-key lock
between two holders (flock conflicts between two open descriptions, as between runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leakstop.errors import LeakstopError
from leakstop.rotation.locks import KeyLock
from leakstop.rotation.records import Remembered, RotationState, Settled, write_durably


def test_a_failed_replacement_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "rotated.json"
    target.mkdir()  # a directory where the file must go: os.replace fails
    with pytest.raises(IsADirectoryError):
        write_durably(target, b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["rotated.json"]
    assert target.is_dir() and not any(target.iterdir())


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", "\udcff"])
def test_a_damaged_state_file_counts_as_empty_and_is_rewritten(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "state" / "rotated.json"
    path.parent.mkdir(mode=0o700)
    path.write_bytes(damage.encode("utf-8", "surrogateescape"))
    state = RotationState(path)
    assert state.get("a" * 40) is None
    state.remember("a" * 40, "syncline", Settled.ROTATED)
    entry = json.loads(path.read_text())["a" * 40]
    assert (entry["provider"], entry["outcome"]) == ("syncline", "rotated")
    assert state.get("a" * 40) == Remembered("syncline", Settled.ROTATED, entry["time"])


@pytest.mark.parametrize(
    "entry",
    [
        "rotated",
        {"provider": "syncline", "outcome": "a word of a newer version", "time": "t"},
        {"provider": "syncline", "outcome": "rotated"},
        {"provider": 7, "outcome": "rotated", "time": "t"},
    ],
)
def test_an_entry_this_version_cannot_read_is_none(tmp_path: Path, entry: object) -> None:
    path = tmp_path / "rotated.json"
    path.write_text(
        json.dumps(
            {"a" * 40: entry, "b" * 40: {"provider": "p", "outcome": "rotated", "time": "t"}}
        )
    )
    state = RotationState(path)
    assert state.get("a" * 40) is None
    assert state.get("b" * 40) == Remembered("p", Settled.ROTATED, "t")


def _holder(directory: Path, hashed: str) -> subprocess.Popen[str]:
    """Another process holding the key's lock until its stdin closes."""
    code = (
        "import sys; from pathlib import Path; from leakstop.rotation.locks import KeyLock\n"
        f"lock = KeyLock(Path({str(directory)!r}), {hashed!r})\n"
        "assert lock.try_acquire(); print('held', flush=True); sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_key_lock_held_elsewhere_is_waited_for_then_given_up(tmp_path: Path) -> None:
    hashed = "b" * 40
    proc = _holder(tmp_path, hashed)
    told: list[str] = []
    try:
        lock = KeyLock(tmp_path, hashed)
        assert lock.acquire(0.3, told.append) is False
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()
    assert told == [str(proc.pid)]  # told once, with the holder's pid
    assert lock.acquire(5, told.append) is True  # free once its holder is gone
    assert lock.holder() == str(os.getpid())
    lock.release()


def test_an_unreadable_holder_is_shown_as_unknown(tmp_path: Path) -> None:
    lock = KeyLock(tmp_path, "c" * 40)
    lock.path.write_bytes(b"\xff\xfe")
    assert lock.holder() == "?"
    lock.path.write_text("")
    assert lock.holder() == "?"


def test_a_lock_that_cannot_be_opened_is_a_one_line_error(tmp_path: Path) -> None:
    lock = KeyLock(tmp_path, "d" * 40)
    lock.path.mkdir()
    with pytest.raises(LeakstopError, match=r"^cannot lock .*dddd\.lock \("):
        lock.try_acquire()


def test_journal_records_that_are_not_records_are_passed_over(tmp_path: Path) -> None:
    from leakstop.rotation.journal import InFlight, Journal

    journal = Journal(tmp_path / "journal")
    good = InFlight("e" * 40, "syncline", "syncline-user-key", "a:1", "d", "file", "d")
    journal.begin(good)
    (journal.directory / ("f" * 40 + ".json")).write_text("[1, 2]")  # not an object
    (journal.directory / ("0" * 40 + ".json")).write_text('{"provider": "x"}')  # fields missing
    (journal.directory / ("1" * 40 + ".json")).write_text("{broken")
    assert [r.old_sha1 for r in journal.all()] == ["e" * 40]
    assert journal.get("f" * 40) is None and journal.get("0" * 40) is None
