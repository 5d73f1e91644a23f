"""The pre-commit hot path stays lean: `leakstop scan --staged`, run as its own process the way
a hook runs it, never imports detect-secrets, httpx, GitPython or requests.

Those are what make a Python hook slow to start; the scan needs none of them. The process
records `sys.modules` as it exits, so every import counts, including those made through
`importlib.import_module` (which `python -X importtime` does not list). No time is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.testing import Repo, assert_no_leak, new_key

FORBIDDEN = ("detect_secrets", "httpx", "git", "requests")

# What the `leakstop` console script runs, plus an exit hook that writes the loaded modules
# to the file named by argv[1] (json is imported only then, after leakstop has finished).
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


def run_hook(
    repo: Repo, out: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", _ENTRY, str(out), *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), f"the process exited without running its exit hooks: {proc.stderr}"
    modules: list[str] = json.loads(out.read_text(encoding="utf-8"))
    return proc, set(modules)


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in FORBIDDEN)


def test_heavy_matches_packages_not_prefixes() -> None:
    assert heavy({"git.cmd", "gitdb", "github", "leakstop.cli.main", "httpx._client"}) == [
        "git.cmd",
        "httpx._client",
    ]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_staged_scan_with_findings_loads_no_heavy_module(
    repo: Repo, tmp_path: Path, fmt: str
) -> None:
    keys = [
        new_key("electronhub-api-key"),
        new_key("syncline-user-key"),
        new_key("scrapebit-api-key"),
        new_key("ecgrid-api-key"),
    ]
    repo.stage("README.md", "service\n")
    repo.commit("initial")
    repo.stage(
        "app/settings.py",
        f'ELECTRONHUB_KEY = "{keys[0]}"\n'
        f'SYNCLINE_KEY = "{keys[1]}"\n'
        f'SCRAPEBIT_KEY = "{keys[2]}"\n'
        "# ECGrid mailbox\n"
        f'ECGRID_API_KEY = "{keys[3]}"\n',
    )

    proc, modules = run_hook(repo, tmp_path / "modules.json", "scan", "--staged", "--format", fmt)

    assert proc.returncode == 1, proc.stderr[-2000:]
    assert_no_leak([proc.stdout, proc.stderr], keys)
    # The probe saw the real hot path (an empty set would pass for the wrong reason).
    assert {"leakstop.cli.scan", "leakstop.scan", "leakstop.providers.ecgrid"} <= modules
    assert heavy(modules) == []


def test_clean_staged_scan_loads_no_heavy_module(repo: Repo, tmp_path: Path) -> None:
    repo.stage("app/main.py", "print('hello')\n")

    proc, modules = run_hook(repo, tmp_path / "modules.json", "scan", "--staged")

    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "leakstop.scan" in modules
    assert heavy(modules) == []
    # The hook's exact call takes the fast path: click is not even imported.
    assert "click" not in modules
