"""The scan core (leakstop/scan.py) makes every finding, whatever source read the hit: the
hit's own confidence survives every commit path (the patch stream, a commit read object by
object past a missing blob, an annotated tag's message), and the totals have one shape in
every mode. GUIDs and keys are made at run time."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from tests.testing import Repo, RunCli, new_key

# An ECGrid GUID under an [ecgrid] section, but bound to no credential label: `possible`.
_POSSIBLE = "[ecgrid]\nvalue = {guid}\n"


def _report(run_cli: RunCli, repo: Repo, *args: str, keys: list[str], code: int) -> Any:
    outcome = run_cli(["scan", "--format", "json", *args], repo.path, keys=keys)
    assert outcome.code == code, outcome.err
    return json.loads(outcome.out)


def test_possible_stays_possible_in_every_commit_path(repo: Repo, run_cli: RunCli) -> None:
    streamed, salvaged, tagged = (str(uuid.uuid4()) for _ in range(3))
    repo.stage("config/ecgrid.ini", _POSSIBLE.format(guid=streamed))
    repo.commit("streamed")
    repo.stage("lost.txt", "gone\n")
    repo.stage("settings/ecgrid.ini", _POSSIBLE.format(guid=salvaged))
    damaged = repo.commit("damaged")
    for _ in range(2):
        repo.stage("filler.txt", os.urandom(8).hex())
        repo.commit("filler")
    lost = repo.git("rev-parse", f"{damaged}:lost.txt").strip()
    (repo.path / ".git" / "objects" / lost[:2] / lost[2:]).unlink()
    repo.git("tag", "-a", "v1", "-m", _POSSIBLE.format(guid=tagged))
    keys = [streamed, salvaged, tagged]

    report = _report(run_cli, repo, "--history", keys=keys, code=0)

    found = {f["file"]: f["confidence"] for f in report["findings"]}
    assert found == {
        "config/ecgrid.ini": "possible",
        "settings/ecgrid.ini": "possible",  # read object by object: git log stopped there
        "<tag message: v1>": "possible",
    }
    assert any(s["commit"] == damaged for s in report["scan"]["skipped"] if "commit" in s)


def test_totals_have_one_shape_in_every_mode(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("a.env", "A=1\n")
    base = repo.commit("base")
    repo.stage("b.env", f"SB={key}\n")
    repo.commit("key")
    repo.stage("c.env", f"SB={key}\n")  # staged, not committed
    commits = {(): 0, ("--staged",): 0, ("--range", f"{base}..HEAD"): 1, ("--history",): 2}
    shapes = set()
    for args, count in commits.items():
        scan = _report(run_cli, repo, *args, keys=[key], code=1)["scan"]
        shapes.add(frozenset(scan))
        assert scan["mode"] == (args[0].removeprefix("--") if args else "files")
        assert scan["commits"] == count, (args, scan)
        assert scan["files"] >= 1 and scan["bytes"] > 0 and scan["seconds"] >= 0, (args, scan)
    assert len(shapes) == 1, shapes
