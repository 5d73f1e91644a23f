"""The pre-commit hot path stays lean: `leakstop scan --staged`, run as its own process the way
a hook runs it, never imports detect-secrets, httpx, GitPython or requests.

Those are what make a Python hook slow to start; the scan needs none of them. The process
records `sys.modules` as it exits, so every import counts, including those made through
`importlib.import_module` (which `python -X importtime` does not list). No time is asserted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from benchmarks.probe import heavy, run_probed
from tests.testing import Repo, assert_no_leak, new_key


def run_hook(
    repo: Repo, out: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    proc, modules = run_probed(args, repo.path, out)
    assert modules is not None, f"the process exited without running its exit hooks: {proc.stderr}"
    return proc, set(modules)


def rotation_side(modules: set[str]) -> list[str]:
    """Modules only checking or rotating a key needs (a scan finds keys; it calls nobody)."""
    return sorted(
        m for m in modules if m == "leakstop.providers.api" or m.startswith("leakstop.rotation")
    )


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
    assert rotation_side(modules) == []


def test_clean_staged_scan_loads_no_heavy_module(repo: Repo, tmp_path: Path) -> None:
    repo.stage("app/main.py", "print('hello')\n")

    proc, modules = run_hook(repo, tmp_path / "modules.json", "scan", "--staged")

    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "leakstop.scan" in modules
    assert heavy(modules) == []
    assert rotation_side(modules) == []
    # The hook's exact call takes the fast path: click is not even imported.
    assert "click" not in modules
