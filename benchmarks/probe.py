"""What a `leakstop` process imports, seen from inside it: the console script's code plus an
exit hook that writes `sys.modules` to a file. Unlike `python -X importtime`, it also sees
modules loaded through `importlib.import_module`. Used by the benchmark (benchmarks/run.py)
and by the hot-path test (tests/cli/test_hot_path.py), so both watch the same process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

HEAVY = ("detect_secrets", "httpx", "git", "requests")
"""Packages that make a Python hook slow to start; `scan --staged` needs none of them."""

_ENTRY = """
import atexit, sys
_out = sys.argv.pop(1)
def _dump():
    import json
    with open(_out, "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
atexit.register(_dump)
from leakstop.cli.main import main
sys.exit(main())
"""


def run_probed(
    args: Sequence[str],
    cwd: Path,
    out: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> tuple[subprocess.CompletedProcess[str], list[str] | None]:
    """Run `leakstop ARGS` in `cwd`: the process, and the modules it had loaded when it
    exited (None: it exited without running its exit hooks)."""
    proc = subprocess.run(
        [sys.executable, "-c", _ENTRY, str(out), *args],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    try:
        modules: list[str] = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return proc, None
    return proc, modules


def heavy(modules: Sequence[str] | set[str]) -> list[str]:
    """The heavy modules among `modules` (by package: `github` is not `git`)."""
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)
