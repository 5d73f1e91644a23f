"""Shared fixtures: real temporary git repositories and an in-process CLI runner that checks
every output stream for leaked key material."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from leakstop.cli.main import main
from leakstop.simulator import Simulator, SimulatorControl


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class Repo:
    """A real git repository in a temporary directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, input: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, input=input, capture_output=True, check=True
        )
        return proc.stdout.decode("utf-8", "replace")

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")
        return target

    def stage(self, rel: str, content: str | bytes) -> None:
        self.write(rel, content)
        self.git("add", "--", rel)

    def commit(self, message: str = "change") -> str:
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def init_repo(path: Path) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    repo = Repo(path)
    repo.git("config", "user.email", "dev@example.invalid")
    repo.git("config", "user.name", "Test Dev")
    repo.git("config", "commit.gpgsign", "false")
    return repo


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
    from tests.sources.test_pre_push import commit_file, with_origin

    with_origin(repo, tmp_path)
    commit_file(repo, "README.md", "hello\n", "root")
    repo.git("push", "-q", "origin", "main")
    return repo


def assert_no_leak(texts: Iterable[str], keys: Iterable[str]) -> None:
    """No key, nor any 12-character piece of its body, appears in any of `texts`."""
    blob = "\n".join(texts)
    for key in keys:
        assert key not in blob, "a full key leaked into the output"
        body = key.split("_")[-1].split("-")[-1] if len(key) > 36 else key.replace("-", "")
        for i in range(0, max(1, len(body) - 12)):
            assert body[i : i + 12] not in blob, "part of a key leaked into the output"


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    """Run `leakstop ARGS` in-process in a directory; returns exit code, stdout and stderr."""

    def invoke(args: list[str], cwd: Path, keys: Iterable[str] = (), stdin: str = "") -> Outcome:
        import io
        import sys

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
