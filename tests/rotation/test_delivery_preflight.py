"""Delivery targets that cannot work are refused before any call: a dotenv path through a
regular file (not a directory)."""

from __future__ import annotations

from pathlib import Path

from leakstop.simulator import SimulatorControl
from tests.testing import RunCli


def test_a_dotenv_path_through_a_file_is_refused_before_any_call(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    (tmp_path / "config").write_text("a file, not a directory\n")
    target = tmp_path / "config" / "app.env"
    outcome = run_cli(
        ["rotate", "--provider", "syncline", "--yes", "--deliver", f"dotenv:{target}:SL_KEY"],
        tmp_path,
        keys=[key],
        stdin=key,
    )
    assert outcome.code == 2, outcome.out + outcome.err
    assert (
        outcome.err
        == f"leakstop: error: --deliver dotenv: cannot read {target} (Not a directory)\n"
    )
    assert control.calls() == []
