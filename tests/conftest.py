"""Shared fixtures: real temporary git repositories and an in-process CLI runner that checks
every output stream for leaked key material. The helpers they use live in tests/testing.py."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from leakstop.cli.main import main
from leakstop.simulator import Simulator, SimulatorControl
from tests.testing import (
    Outcome,
    Repo,
    RunCli,
    assert_no_leak,
    commit_file,
    init_repo,
    publish_history,
    with_origin,
)


@pytest.fixture(autouse=True)
def _isolated_git(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No user or system git config leaks into tests, and no provider is reachable."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".state"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Dev")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "dev@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Dev")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "dev@example.invalid")
    for var in list(os.environ):
        if var.startswith(("LEAKSTOP_", "PRE_COMMIT_")):
            monkeypatch.delenv(var)
    # CI itself runs the suite with CI=true: the tests that want a CI say so themselves.
    for var in ("CI", "GITHUB_ACTIONS", "GITLAB_CI"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return init_repo(tmp_path / "repo")


@pytest.fixture
def pushed(repo: Repo, tmp_path: Path) -> Repo:
    """`repo` with a clean root commit on main, already on its remote `origin`."""
    with_origin(repo, tmp_path)
    commit_file(repo, "README.md", "hello\n", "root")
    repo.git("push", "-q", "origin", "main")
    return repo


@pytest.fixture
def published(repo: Repo, tmp_path: Path) -> Repo:
    """`repo` whose `origin` holds a key pushed long ago and removed since (publish_history)."""
    return publish_history(repo, tmp_path)


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunCli]:
    """Run `leakstop ARGS` in-process in a directory; returns exit code, stdout and stderr."""

    def invoke(args: list[str], cwd: Path, keys: Iterable[str] = (), stdin: str = "") -> Outcome:
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            main(args)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        assert_no_leak([captured.out, captured.err], keys)
        return Outcome(code, captured.out, captured.err)

    yield invoke


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    """The provider simulator on loopback, one per test module."""
    with Simulator() as simulator:
        yield simulator


@pytest.fixture
def control(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> SimulatorControl:
    """A clean simulator, with every LEAKSTOP_<PROVIDER>_URL pointing at it."""
    sim.control.reset()
    for name, value in sim.env().items():
        monkeypatch.setenv(name, value)
    return sim.control
