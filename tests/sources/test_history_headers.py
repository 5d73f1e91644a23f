"""File headers in history streams that have no `+++` line: a binary file renamed with a
change is named by its new path; and two hunks of one file that both need the whole file
(an ECGrid scope above both) each get it."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli


def _report(run_cli: RunCli, repo: Repo, args: list[str], keys: list[str]) -> dict[str, Any]:
    outcome = run_cli(["scan", *args, "--format", "json"], repo.path, keys=keys)
    assert outcome.code in (0, 1), outcome.err
    report: dict[str, Any] = json.loads(outcome.out)
    return report


@pytest.mark.parametrize("mode", ["history", "range"])
def test_a_renamed_binary_is_named_by_its_new_path(repo: Repo, run_cli: RunCli, mode: str) -> None:
    repo.stage("README.md", "x\n")
    base = repo.commit("base")
    blob = b"\x00\x01binary" + os.urandom(4000)
    repo.stage("data.bin", blob)
    repo.commit("add")
    repo.git("mv", "data.bin", "moved.bin")
    repo.stage("moved.bin", blob + b"\x00more")
    repo.commit("rename and change")
    args = ["--history"] if mode == "history" else ["--range", f"{base}..main"]
    skipped = {s["file"]: s["reason"] for s in _report(run_cli, repo, args, [])["scan"]["skipped"]}
    assert skipped.get("moved.bin") == "binary"
    assert "?" not in skipped


def test_two_hunks_of_one_file_both_judged_in_the_whole_file(repo: Repo, run_cli: RunCli) -> None:
    filler = "".join(f"  option_{i}: {i}\n" for i in range(40))
    head = "# EDI bridge\necgrid:\n  url: https://rest.ecgrid.io\n"
    repo.stage("config/bridge.yaml", head + filler + filler.replace("option", "more"))
    repo.commit("settings")
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    text = head + filler + f"  api_key: {first}\n" + filler.replace("option", "more")
    repo.stage("config/bridge.yaml", text + f"  backup_api_key: {second}\n")
    added = repo.commit("keys")
    report = _report(run_cli, repo, ["--history"], [first, second])
    rows = {(f["hashed_secret"], f["line"], f["commit"]) for f in report["findings"]}
    assert rows == {(hashed_secret(first), 44, added), (hashed_secret(second), 85, added)}
