"""History reads changes as hunks; a key family that counts only with its product named
near it (Syncline's `sk_live_` platform keys, shared with another product) is judged on
the lines around it in the file as the commit left it, not on the hunk alone — within
the same window a file scan uses, and no further."""

from __future__ import annotations

import json

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, new_key


def _history_rows(
    run_cli: RunCli, repo: Repo, keys: list[str], *args: str
) -> set[tuple[str, int, str]]:
    outcome = run_cli(["scan", *args, "--format", "json"], repo.path, keys=keys)
    assert outcome.code in (0, 1), outcome.err
    return {
        (f["hashed_secret"], f["line"], f["commit"]) for f in json.loads(outcome.out)["findings"]
    }


@pytest.mark.parametrize("mode", ["history", "range"])
def test_the_product_named_a_few_lines_above_the_hunk_counts(
    repo: Repo, run_cli: RunCli, mode: str
) -> None:
    near, far = new_key("syncline-platform-key"), new_key("syncline-platform-key")
    options = [f"OPTION_{i}=1\n" for i in range(12)]
    few, many = "".join(options[:4]), "".join(options)
    repo.stage("README.md", "x\n")
    base = repo.commit("base")
    repo.stage("near.env", "# Syncline platform\n" + few)  # 4 lines below the name
    repo.stage("far.env", "# Syncline platform\n" + many)  # 12 lines below the name
    repo.commit("settings")
    repo.stage("near.env", "# Syncline platform\n" + few + f"PLATFORM_KEY={near}\n")
    repo.stage("far.env", "# Syncline platform\n" + many + f"PLATFORM_KEY={far}\n")
    added = repo.commit("keys")
    args = ["--history"] if mode == "history" else ["--range", f"{base}..main"]
    rows = _history_rows(run_cli, repo, [near, far], *args)
    assert rows == {(hashed_secret(near), 6, added)}
