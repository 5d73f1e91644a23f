"""`leakstop init` on a machine that has pre-commit and leakstop on PATH: nothing is
reported missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.testing import Repo, RunCli


def test_nothing_missing_when_both_are_on_path(
    repo: Repo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("git", "true"):
        found = shutil.which(name)
        assert found
        (bin_dir / name).symlink_to(found)
    for tool in ("pre-commit", "leakstop"):  # present is all init asks of them
        (bin_dir / tool).symlink_to(bin_dir / "true")
    monkeypatch.setenv("PATH", str(bin_dir))
    outcome = run_cli(["init"], repo.path)
    assert outcome.code == 0, outcome.err
    assert "missing" not in outcome.out
    assert "pre-commit is not installed" not in outcome.out
    assert "PATH has none" not in outcome.out
