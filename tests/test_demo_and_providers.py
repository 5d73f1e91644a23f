"""`leakstop demo` and `leakstop providers`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leakstop.providers import all_providers, all_rules
from tests.testing import RunCli


def test_demo_blocks_then_accepts_and_cleans_up(tmp_path: Path, run_cli: RunCli) -> None:
    outcome = run_cli(["demo"], tmp_path)
    assert outcome.code == 0, outcome.out
    assert "The commit was refused" in outcome.out
    assert "ElectronHub API Key" in outcome.out
    assert "commit goes through" in outcome.out
    repo_line = next(line for line in outcome.out.splitlines() if "throwaway repository" in line)
    assert not Path(repo_line.split(": ", 1)[1]).exists()


def test_providers_lists_every_rule_and_endpoint_override(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAKSTOP_SCRAPEBIT_URL", "http://127.0.0.1:9")
    outcome = run_cli(["providers"], tmp_path)
    assert outcome.code == 0
    for rule in all_rules():
        assert rule.id in outcome.out
    assert "http://127.0.0.1:9 (LEAKSTOP_SCRAPEBIT_URL;" in outcome.out
    assert "rotate GET /v1/auth/key/regen (Authorization)" in outcome.out
    assert "https://rest.ecgrid.io (default;" in outcome.out
    assert len(all_providers()) == 4
    monkeypatch.setenv("LEAKSTOP_SYNCLINE_URL", "http://192.0.2.1")
    refused = run_cli(["providers"], tmp_path)
    assert refused.code == 0
    assert "REFUSED: LEAKSTOP_SYNCLINE_URL: plain http is allowed for loopback" in refused.out


def test_unknown_command_is_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    outcome = run_cli(["frobnicate"], tmp_path)
    assert outcome.code == 2


def test_demo_rotates_at_the_simulator_and_the_old_key_dies(
    tmp_path: Path, run_cli: RunCli
) -> None:
    outcome = run_cli(["demo"], tmp_path)
    assert outcome.code == 0, outcome.out
    assert "leakstop rotates ek-" in outcome.out
    assert "old key with: invalid; the new one: live" in outcome.out
    assert "GET /electronhub/v1/auth/key/regen → 200" in outcome.out
    assert "(mode 0600)" in outcome.out
    assert re.findall(r"ek-[A-Za-z0-9]{32}", outcome.out) == []  # no key in full, old or new
