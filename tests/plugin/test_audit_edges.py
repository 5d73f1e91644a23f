"""`leakstop audit` on a baseline that names a file no longer in the work tree: stock
detect-secrets stops with a traceback when it opens that file; leakstop says which file in
one line (exit 2), and shows no key."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Repo
from tests.keys import new_key


def test_a_baseline_entry_for_a_deleted_file_is_a_one_line_error(repo: Repo, run_cli: Any) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("cfg.py", f'KEY = "{key}"\n')
    assert run_cli(["allow", "cfg.py:1", "-m", "fixture"], repo.path, keys=[key]).code == 0
    baseline = repo.path / ".secrets.baseline"
    data = json.loads(baseline.read_text())
    moved = [dict(entry, filename="gone.py") for entry in data["results"]["cfg.py"]]
    data["results"]["gone.py"] = moved
    baseline.write_text(json.dumps(data))
    outcome = run_cli(["audit", "--report", ".secrets.baseline"], repo.path, keys=[key])
    assert outcome.code == 2, outcome.err
    assert outcome.err.startswith("leakstop: error: the baseline names gone.py, which is not there")
    assert outcome.err.count("\n") == 1
    # --stats never opens the files: it still works.
    assert run_cli(["audit", "--stats", ".secrets.baseline"], repo.path, keys=[key]).code == 0
