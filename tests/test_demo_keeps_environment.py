"""`leakstop demo` points ElectronHub at its own simulator only while it runs: a URL the
user had set is back afterwards, and the demo never used it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.testing import RunCli


def test_demo_restores_the_users_endpoint(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A port nobody listens on: any call sent there would fail the demo's rotation.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mine = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("LEAKSTOP_ELECTRONHUB_URL", mine)
    outcome = run_cli(["demo"], tmp_path)
    assert outcome.code == 0, outcome.out + outcome.err
    assert "leakstop rotates" in outcome.out and ": rotated" in outcome.out
    assert os.environ["LEAKSTOP_ELECTRONHUB_URL"] == mine
