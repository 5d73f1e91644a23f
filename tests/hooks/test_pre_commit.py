"""The `leakstop` hook of .pre-commit-hooks.yaml, installed and run by the real pre-commit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.testing import PROJECT, Repo, assert_no_leak, init_repo, new_key

_COPIED = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "leakstop")


def _hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """The project's current files committed to a scratch repository pre-commit can clone."""
    hooks = init_repo(tmp_path / "hook-repo")
    for name in _COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, hooks.path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, hooks.path / name)
    hooks.git("add", "-A")
    return hooks.path, hooks.commit("hooks")


def test_real_commit_is_refused_through_pre_commit(repo: Repo, tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert pre_commit, "pre-commit is a dev dependency and must be installed"
    hook_repo, rev = _hook_repository(tmp_path)
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: leakstop\n",
    )
    repo.git("add", ".pre-commit-config.yaml")
    repo.commit("add pre-commit config")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    subprocess.run([pre_commit, "install"], cwd=repo.path, check=True, capture_output=True)

    key = new_key("syncline-user-key")
    repo.stage("client.js", f'const key = "{key}";\n')
    refused = _commit(repo, env, "add client")
    assert refused.returncode != 0
    assert_no_leak([refused.stdout, refused.stderr], [key])
    assert "Syncline User API Key" in refused.stdout + refused.stderr
    assert repo.git("log", "--format=%s", "-1").strip() == "add pre-commit config"

    repo.stage("client.js", "const key = process.env.SYNCLINE_KEY;\n")
    accepted = _commit(repo, env, "add client")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert repo.git("log", "--format=%s", "-1").strip() == "add client"


def _commit(repo: Repo, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
