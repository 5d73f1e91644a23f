"""The offline demo: a throwaway repository, a key about to be committed, leakstop refusing it.

Everything happens in a temporary directory that is removed at the end; nothing touches the
network. The key is generated on the spot and is never shown in full.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from leakstop.secrets_text import redact

Say = Callable[[str], None]

_HOOK = """#!/bin/sh
# leakstop pre-commit hook (demo)
exec {python} -m leakstop scan --staged
"""


def run_demo(say: Say) -> int:
    """Run the story; returns 0 when leakstop behaved as it should."""
    with tempfile.TemporaryDirectory(prefix="leakstop-demo-") as tmp:
        repo = Path(tmp) / "shop-backend"
        key = "ek-" + secrets.token_hex(16)
        say(f"1. A throwaway repository: {repo}")
        _git(repo.parent, "init", "-q", "-b", "main", str(repo))
        _git(repo, "config", "user.email", "demo@example.invalid")
        _git(repo, "config", "user.name", "leakstop demo")
        _install_hook(repo)
        say("   leakstop is installed as its pre-commit hook.")
        (repo / "app.py").write_text(
            "import os\n\n"
            "# TODO: move to the environment before release\n"
            f'ELECTRONHUB_API_KEY = "{key}"\n',
            encoding="utf-8",
        )
        _git(repo, "add", "app.py")
        say(f"2. A developer stages app.py with an ElectronHub key ({redact(key, 'ek-')}).")
        say("3. git commit -m 'add client' …")
        commit = subprocess.run(
            ["git", "commit", "-m", "add client"],
            cwd=repo,
            capture_output=True,
            text=True,
            env=_env(),
        )
        for line in (commit.stdout + commit.stderr).splitlines():
            say(f"   │ {line}")
        refused = commit.returncode != 0 and _head(repo) is None
        say(
            "4. The commit was refused: the key never entered history."
            if refused
            else "4. UNEXPECTED: the commit went through."
        )
        (repo / "app.py").write_text(
            'import os\n\nELECTRONHUB_API_KEY = os.environ["ELECTRONHUB_API_KEY"]\n',
            encoding="utf-8",
        )
        _git(repo, "add", "app.py")
        clean = subprocess.run(
            ["git", "commit", "-q", "-m", "add client"], cwd=repo, capture_output=True, env=_env()
        )
        accepted = clean.returncode == 0
        say(
            "5. With the key read from the environment instead, the commit goes through."
            if accepted
            else "5. UNEXPECTED: the clean commit was refused."
        )
        say(f"6. Cleaning up {repo.parent}.")
    return 0 if refused and accepted else 1


def _install_hook(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(_HOOK.format(python=shlex.quote(sys.executable)), encoding="utf-8")
    hook.chmod(0o755)


def _head(repo: Path) -> str | None:
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=repo, capture_output=True, text=True
    )
    return proc.stdout.strip() or None


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=_env())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    # The demo's hook must run this very leakstop, whatever is on PATH.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    return env
