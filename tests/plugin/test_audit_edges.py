"""`leakstop audit` on a baseline that names a file no longer in the work tree: stock
detect-secrets stops with a traceback when it opens that file; leakstop says which file in
one line (exit 2), and shows no key."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.testing import Repo, RunCli, assert_no_leak, new_key


def test_a_baseline_entry_for_a_deleted_file_is_a_one_line_error(
    repo: Repo, run_cli: RunCli
) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("cfg.py", f'KEY = "{key}"\n')
    assert run_cli(["allow", "cfg.py:1", "-m", "fixture"], repo.path, keys=[key]).code == 0
    baseline = repo.path / ".secrets.baseline"
    data = json.loads(baseline.read_text())
    moved = [dict(entry, filename="gone.py") for entry in data["results"]["cfg.py"]]
    data["results"]["gone.py"] = moved
    baseline.write_text(json.dumps(data))
    # In a child process, as a user runs it: detect-secrets keeps its settings in globals.
    report = _audit(repo, "--report")
    assert report.returncode == 2, report.stderr
    assert report.stderr.startswith(
        "leakstop: error: the baseline names gone.py, which is not there"
    )
    assert report.stderr.count("\n") == 1
    # --stats never opens the files: it still works.
    stats = _audit(repo, "--stats")
    assert stats.returncode == 0, stats.stderr
    assert_no_leak([report.stdout, report.stderr, stats.stdout, stats.stderr], [key])


def _audit(repo: Repo, option: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leakstop", "audit", option, ".secrets.baseline"],
        cwd=repo.path,
        capture_output=True,
        text=True,
    )
