"""The offline demo: a key about to be committed, leakstop refusing it, then the same key
rotated at a provider (the local simulator) so that it stops working.

Everything happens in a temporary directory that is removed at the end and on a loopback
simulator; nothing touches the network. Keys are never shown in full.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from leakstop import git
from leakstop.secrets_text import redact
from leakstop.simulator import Simulator

Say = Callable[[str], None]

_HOOK = """#!/bin/sh
# leakstop pre-commit hook (demo)
exec {python} -m leakstop scan --staged
"""


def run_demo(say: Say) -> int:
    """Run the story; returns 0 when leakstop behaved as it should."""
    with tempfile.TemporaryDirectory(prefix="leakstop-demo-") as tmp:
        repo = Path(tmp) / "shop-backend"
        sim = Simulator().start()
        try:
            key = sim.control.create_account("electronhub", "master").key
            ok = _story(repo, key, say) and _rotation(sim, Path(tmp), key, say)
        finally:
            sim.stop()
        say(f"Cleaning up {repo.parent}.")
    return 0 if ok else 1


def _story(repo: Path, key: str, say: Say) -> bool:
    """Steps 1-5: the hook refuses the key, then accepts the fixed file."""
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
    commit = git.completed(["commit", "-m", "add client"], repo, hooks=True, extra_env=_env())
    for line in (commit.stdout + commit.stderr).decode("utf-8", "replace").splitlines():
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
    clean = git.completed(["commit", "-q", "-m", "add client"], repo, hooks=True, extra_env=_env())
    accepted = clean.returncode == 0
    say(
        "5. With the key read from the environment instead, the commit goes through."
        if accepted
        else "5. UNEXPECTED: the clean commit was refused."
    )
    return refused and accepted


def _rotation(sim: Simulator, tmp: Path, key: str, say: Say) -> bool:
    """Steps 6-9: the key is rotated at the (simulated) provider and the old one dies."""
    from leakstop.findings import Finding
    from leakstop.providers import get_rule
    from leakstop.rotation.delivery import Delivery
    from leakstop.rotation.engine import INVALID, LIVE, Engine, Target
    from leakstop.rotation.records import AuditLog, RotationState

    say("6. Had the key been pushed, blocking would not be enough: it must die.")
    say(f"   A provider simulator runs at {sim.url} (ElectronHub's API, offline).")
    rule = get_rule("electronhub-api-key")
    target = Target(rule, key, [Finding(rule=rule, file="app.py", line=4, column=24, secret=key)])
    keys_dir = tmp / "keys"
    engine = Engine(
        delivery=Delivery("file", str(keys_dir)),
        state=RotationState(tmp / "state" / "rotated.json"),
        audit=AuditLog(tmp / "state" / "audit.jsonl"),
    )
    previous = os.environ.get("LEAKSTOP_ELECTRONHUB_URL")
    os.environ["LEAKSTOP_ELECTRONHUB_URL"] = sim.base_url("electronhub")
    try:
        outcome = engine.rotate(target)
        say(f"7. leakstop rotates {target.redacted}: {outcome.status}")
        say(f"   {outcome.detail}")
        old_state = engine.verify(target)
        new_files = sorted(keys_dir.glob("*.key"))
        new_key = new_files[0].read_text(encoding="utf-8").strip() if new_files else ""
        new_state = engine.verify(Target(rule, new_key)) if new_key else "missing"
    finally:
        engine.close()
        if previous is None:
            os.environ.pop("LEAKSTOP_ELECTRONHUB_URL", None)
        else:
            os.environ["LEAKSTOP_ELECTRONHUB_URL"] = previous
    say(f"8. The provider now answers the old key with: {old_state}; the new one: {new_state}.")
    for call in sim.control.calls():
        say(f"   │ {call['method']} {call['path']} → {call['status']}")
    say(f"9. The new key was saved to {new_files[0] if new_files else 'nowhere'} (mode 0600),")
    say("   never printed; the audit log holds only SHA-1 digests of old and new key.")
    return outcome.status == "rotated" and old_state == INVALID and new_state == LIVE


def _install_hook(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(_HOOK.format(python=shlex.quote(sys.executable)), encoding="utf-8")
    hook.chmod(0o755)


def _head(repo: Path) -> str | None:
    return (
        git.run(["rev-parse", "--verify", "-q", "HEAD"], repo, check=False).decode().strip() or None
    )


def _git(cwd: Path, *args: str) -> None:
    proc = git.completed(args, cwd, extra_env=_env())
    if proc.returncode != 0:
        raise git.failure(args, proc.stderr)


def _env() -> dict[str, str]:
    # The demo's hook must run this very leakstop, whatever is on PATH.
    path = os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    return {"GIT_CONFIG_NOSYSTEM": "1", "PYTHONPATH": path}
