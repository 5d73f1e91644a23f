"""Several real leakstop processes sharing one state directory at once: no state entry is
lost and no key is regenerated twice (the simulator's call log counts the regenerate calls)."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from leakstop.simulator import SimulatorControl
from tests.testing import ROTATION_SAMPLES, assert_no_leak, init_repo, state_dir

FAMILIES = [(provider, kind, var) for provider, (kind, var) in ROTATION_SAMPLES.items()]


SCAN = ["scan", "--staged", "--rotate", "--yes", "--format", "json"]


def _launch(repo: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "leakstop", *SCAN],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=repo,
        env=os.environ.copy(),
    )


def _finish(procs: list[subprocess.Popen[bytes]], keys: list[str]) -> list[dict[str, Any]]:
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert_no_leak([out.decode(), err.decode()], keys)
        assert proc.returncode == 4, err.decode()  # every key dead; none failed
        reports.append(json.loads(out))
    return reports


def test_concurrent_runs_on_the_same_keys_rotate_each_once(
    control: SimulatorControl, tmp_path: Path
) -> None:
    keys: list[str] = []
    lines = []
    for provider, kind, var in FAMILIES + FAMILIES[:1]:
        keys.append(control.create_account(provider, kind).key)
        lines.append(f"{var}_{len(keys)}={keys[-1]}\n")
    repos = []
    for n in range(4):  # four checkouts of the same leak: two CI jobs, a hook, a sweep...
        repo = init_repo(tmp_path / f"checkout{n}")
        repo.stage("deploy.env", "".join(lines))
        repos.append(repo)
    # Slow answers make the runs overlap for sure.
    control.add_fault("slow", provider=None, call="rotate", times=None, seconds=0.3)
    reports = _finish([_launch(r.path) for r in repos], keys)

    per_key = collections.Counter(c["key_sha1"] for c in control.calls() if c["call"] == "rotate")
    assert sorted(per_key.values()) == [1] * len(keys)
    statuses = collections.Counter(
        f["rotation"]["status"] for report in reports for f in report["findings"]
    )
    assert statuses == {"rotated": len(keys), "skipped": 3 * len(keys)}
    state = json.loads((state_dir() / "rotated.json").read_text())
    assert {v["outcome"] for v in state.values()} == {"rotated"}
    assert len(state) == len(keys)
    assert len(list((state_dir() / "keys").glob("*.key"))) == len(keys)
    assert not list((state_dir() / "journal").glob("*.json"))


def test_concurrent_runs_on_different_keys_lose_no_state_entry(
    control: SimulatorControl, tmp_path: Path
) -> None:
    keys: list[str] = []
    procs = []
    for n in range(4):
        repo = init_repo(tmp_path / f"repo{n}")
        text = ""
        for provider, kind, var in FAMILIES:
            keys.append(control.create_account(provider, kind).key)
            text += f"{var}={keys[-1]}\n"
        repo.stage(".env", text)
        procs.append(_launch(repo.path))
    reports = _finish(procs, keys)
    assert all(f["rotation"]["status"] == "rotated" for r in reports for f in r["findings"])
    state = json.loads((state_dir() / "rotated.json").read_text())
    assert len(state) == len(keys) == 16
    audit = (state_dir() / "audit.jsonl").read_text().splitlines()
    assert len(audit) == 16 and all(json.loads(line)["outcome"] == "rotated" for line in audit)
    rotate_calls = [c for c in control.calls() if c["call"] == "rotate"]
    assert len(rotate_calls) == 16
