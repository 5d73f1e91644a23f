"""The regenerate call went through, then the state directory broke (here: the delivery
program itself replaces the audit log, the state file and the journal record with
directories). The outcome still reaches the user, with each record that could not be
written named; nothing raises."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from leakstop.simulator import SimulatorControl
from tests.testing import RunCli, assert_no_leak


def test_records_that_cannot_be_written_after_the_call_are_named(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    state = Path(os.environ["XDG_STATE_HOME"]) / "leakstop"
    vault = tmp_path / "vault.txt"
    script = tmp_path / "deliver.py"
    script.write_text(
        "import os, sys\n"
        f"open({str(vault)!r}, 'w').write(sys.stdin.read())\n"
        f"state = {str(state)!r}\n"
        "for name in ('audit.jsonl', 'rotated.json'):\n"
        "    path = os.path.join(state, name)\n"
        "    if os.path.exists(path):\n"
        "        os.remove(path)\n"
        "    os.makedirs(os.path.join(path, 'x'))\n"
        "journal = os.path.join(state, 'journal')\n"
        "for name in os.listdir(journal):\n"
        "    os.remove(os.path.join(journal, name))\n"
        "    os.makedirs(os.path.join(journal, name, 'x'))\n"
    )
    outcome = run_cli(
        [
            "rotate",
            "--provider",
            "syncline",
            "--yes",
            "--deliver",
            f"exec:{sys.executable} {script}",
        ],
        tmp_path,
        keys=[key],
        stdin=key,
    )
    new_key = vault.read_text()
    assert new_key and new_key != key
    assert outcome.code == 0, outcome.out + outcome.err
    both = outcome.out + outcome.err
    assert "rotated" in outcome.out
    assert "audit log not written" in both
    assert "state file not updated" in both
    assert "journal record not closed" in both
    assert_no_leak([both], [key, new_key])
