"""Run the same commits through every mode that scans commits: `--history`, `--range`,
`--pre-push` (git's hook lines, a remote that has none of them) and `--pre-receive` (the
commits no ref reaches, as on a server that is being pushed to), plus a sweep of the
repository. Each returns the JSON report."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tests.conftest import Repo

ZERO = "0" * 40
Report = dict[str, Any]


def _json(
    run_cli: Any, args: list[str], repo: Repo, keys: Iterable[str], stdin: str = ""
) -> Report:
    outcome = run_cli(args, repo.path, keys=list(keys), stdin=stdin)
    assert outcome.code in (0, 1), outcome.err
    assert "Traceback" not in outcome.err
    report: Report = json.loads(outcome.out)
    return report


def all_modes(run_cli: Any, repo: Repo, base: str, keys: Iterable[str]) -> dict[str, Report]:
    """Reports of every commit mode for the commits after `base` up to `main` (base itself is
    a clean commit: history scans it too, and finds nothing in it)."""
    keys = list(keys)
    tip = repo.git("rev-parse", "main").strip()
    reports = {
        "history": _json(run_cli, ["scan", "--history", "--format", "json"], repo, keys),
        "range": _json(
            run_cli, ["scan", "--range", f"{base}..{tip}", "--format", "json"], repo, keys
        ),
        "pre-push": _json(
            run_cli,
            ["scan", "--pre-push", "elsewhere", "url", "--format", "json"],
            repo,
            keys,
            f"refs/heads/main {tip} refs/heads/main {base}\n",
        ),
    }
    # On a server, the pushed commits are those no ref reaches yet.
    repo.git("update-ref", "refs/heads/main", base)
    repo.git("update-ref", "--no-deref", "HEAD", base)
    try:
        reports["pre-receive"] = _json(
            run_cli,
            ["scan", "--pre-receive", "--format", "json"],
            repo,
            keys,
            f"{base} {tip} refs/heads/main\n",
        )
    finally:
        repo.git("update-ref", "refs/heads/main", tip)
        repo.git("symbolic-ref", "HEAD", "refs/heads/main")
    reports["sweep"] = _json(
        run_cli, ["sweep", str(repo.path), "--format", "json", "--jobs", "1"], repo, keys
    )
    return reports
