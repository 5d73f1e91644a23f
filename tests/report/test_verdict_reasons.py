"""Every verdict that is not definite says why, in every report format: --verify against a
provider that cannot be reached (a closed loopback port) and against one that answers 503."""

from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import pytest

from leakstop.simulator import SimulatorControl
from tests.testing import Repo, RunCli, init_repo

FORMATS = ("text", "json", "sarif", "github", "html", "csv")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every provider points at a closed loopback port."""
    url = f"http://127.0.0.1:{closed_port()}"
    for provider in ("ELECTRONHUB", "SYNCLINE", "SCRAPEBIT", "ECGRID"):
        monkeypatch.setenv(f"LEAKSTOP_{provider}_URL", url)
    return url


def _reason_in(fmt: str, out: str) -> str:
    """The verdict's reason as the format carries it ("" when missing)."""
    if fmt == "json":
        [finding] = json.loads(out)["findings"]
        assert finding["verified"] == "unknown"
        assert finding["verified_detail"] == finding["verify_reason"]
        return str(finding["verified_detail"])
    if fmt == "sarif":
        [result] = json.loads(out)["runs"][0]["results"]
        assert result["properties"]["verified"] == "unknown"
        detail = str(result["properties"]["verified_detail"])
        assert f"unknown: {detail}" in result["message"]["text"]
        return detail
    if fmt == "csv":
        [row] = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
        assert row["verified"] == "unknown"
        return row["verified_detail"]
    if fmt == "html":
        cell = out.split('<td data-v="unknown">', 1)[1].split("</td>", 1)[0]
        return cell.split('<div class="why">', 1)[1].split("</div>", 1)[0] if "why" in cell else ""
    marker = "[unknown: "
    assert marker in out, out
    return out.split(marker, 1)[1].split("]", 1)[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unreachable_provider_reason_in_every_format(
    repo: Repo, run_cli: RunCli, unreachable: str, fmt: str
) -> None:
    from tests.testing import new_key

    key = new_key("electronhub-api-key")
    repo.stage("app.env", f"ELECTRONHUB_API_KEY={key}\n")
    outcome = run_cli(["scan", "--staged", "--verify", "--format", fmt], repo.path, keys=[key])
    assert outcome.code == 1, outcome.err
    reason = _reason_in(fmt, outcome.out)
    assert "connection refused" in reason or "unreachable" in reason, reason
    assert unreachable not in outcome.out  # the endpoint is not echoed into the report


def test_provider_error_status_is_the_reason(
    repo: Repo, run_cli: RunCli, control: SimulatorControl
) -> None:
    key = control.create_account("syncline", "user").key
    control.add_fault("500", key=key, times=None)
    repo.stage("s.env", f"SYNCLINE_KEY={key}\n")
    outcome = run_cli(["scan", "--staged", "--verify", "--format", "json"], repo.path, keys=[key])
    [finding] = json.loads(outcome.out)["findings"]
    assert finding["verified"] == "unknown"
    assert "500" in finding["verified_detail"]
    text = run_cli(["scan", "--staged", "--verify"], repo.path, keys=[key]).out
    assert "[unknown: " in text and "500" in text.split("[unknown: ", 1)[1].split("]")[0]


def test_definite_verdicts_carry_no_reason(
    repo: Repo, run_cli: RunCli, control: SimulatorControl
) -> None:
    key = control.create_account("scrapebit", "live").key
    repo.stage("k.env", f"SB_KEY={key}\n")
    outcome = run_cli(["scan", "--staged", "--verify", "--format", "json"], repo.path, keys=[key])
    [finding] = json.loads(outcome.out)["findings"]
    assert finding["verified"] == "live"
    assert "verified_detail" not in finding and "verify_reason" not in finding
    assert "[live]" in run_cli(["scan", "--staged", "--verify"], repo.path, keys=[key]).out


@pytest.mark.parametrize("fmt", ["text", "json", "html", "csv"])
def test_sweep_reports_carry_the_reason(
    tmp_path: Path, run_cli: RunCli, unreachable: str, fmt: str
) -> None:
    from tests.testing import new_key

    key = new_key("scrapebit-api-key")
    swept = init_repo(tmp_path / "r")
    swept.write("a.env", f"SB_KEY={key}\n")
    swept.git("add", "a.env")
    swept.commit("add key")
    outcome = run_cli(
        ["sweep", "r", "--cache", str(tmp_path / "cache"), "--verify", "--format", fmt],
        tmp_path,
        keys=[key],
    )
    assert outcome.code == 1, outcome.err
    if fmt == "json":
        [finding] = json.loads(outcome.out)["findings"]
        reason = str(finding["verified_detail"])
    else:
        reason = _reason_in(fmt, outcome.out)
    assert "connection refused" in reason or "unreachable" in reason, reason
