"""The typed report records: a JSON report read back is the same report (field order
included), reports of older versions are read as they are, and a malformed one is refused
in one line that names the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from leakstop.errors import LeakstopError
from leakstop.outcomes import Confidence, RotationRecord, RotationStatus, Verdict
from leakstop.report.reader import parse
from leakstop.report.records import FindingRecord, known_rule
from tests.testing import Outcome, Repo, RunCli, init_repo, new_key


def _sweep_report(tmp_path: Path, run_cli: RunCli, keys: list[str]) -> dict[str, Any]:
    repo = init_repo(tmp_path / "repo")
    for number, key in enumerate(keys):
        repo.stage(f"k{number}.env", f"KEY={key}\n")
        repo.commit(f"key {number}")
    out = tmp_path / "sweep.json"
    args = ["sweep", "repo", "--cache", str(tmp_path / "cache"), "--format", "json"]
    run_cli([*args, "-o", str(out)], tmp_path, keys=keys)
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def _merge(tmp_path: Path, run_cli: RunCli, data: object, *args: str) -> Outcome:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return run_cli(["merge", str(path), *args], tmp_path)


def _order(value: object) -> object:
    """`value` with each object as its list of (field, value): equal only in the same order."""
    if isinstance(value, dict):
        return [(k, _order(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_order(v) for v in value]
    return value


def test_scan_and_sweep_reports_read_back_to_the_same_json(
    repo: Repo, tmp_path: Path, run_cli: RunCli
) -> None:
    key = new_key("syncline-user-key")
    repo.stage("a.env", f"SL={key}\n")
    repo.stage("b.bin", b"\x00\x01")
    repo.commit("key")
    scan = json.loads(run_cli(["scan", "--history", "--format", "json"], repo.path).out)
    sweep = _sweep_report(tmp_path, run_cli, [new_key("scrapebit-api-key")])
    for data in (scan, sweep):
        assert _order(parse(copy.deepcopy(data), "r").to_json()) == _order(data)


def test_a_report_of_an_older_version_is_merged_as_it_is(tmp_path: Path, run_cli: RunCli) -> None:
    keys = [new_key("electronhub-api-key"), new_key("scrapebit-api-key")]
    report = _sweep_report(tmp_path, run_cli, keys)
    old, possible = report["findings"]
    # Older versions wrote no `confidence` (certain) and the reason as `verified_detail` only.
    del old["confidence"]
    old |= {"verified": "unknown", "verified_detail": "connection refused"}
    possible["confidence"] = "possible"
    merged = _merge(tmp_path, run_cli, report)
    assert merged.code == 1, merged.err  # the certain one blocks
    first, second = json.loads(merged.out)["findings"]
    assert "confidence" not in first
    assert first["verified_detail"] == first["verify_reason"] == "connection refused"
    assert second["confidence"] == "possible"
    # Possible keys alone do not fail the run (unless verified live).
    possible_only = copy.deepcopy(report)
    possible_only["findings"] = [possible]
    assert _merge(tmp_path, run_cli, possible_only).code == 0
    possible["verified"] = "live"
    assert _merge(tmp_path, run_cli, possible_only).code == 1


def _break(path: str, value: object) -> Any:
    """A change to a valid sweep report: set (or, with value `...`, delete) a field."""

    def change(report: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        target: Any = report
        for part in parents:
            target = target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = value

    return change


MALFORMED = [
    ("findings.0.line", "12", "findings[0].line is not a number"),
    ("findings.0.line", True, "findings[0].line is not a number"),
    ("findings.0.file", 7, "findings[0].file is not text"),
    ("findings.0.rule", ..., "findings[0].rule is missing"),
    ("findings.0.verified", "alive", "findings[0].verified must be one of live, invalid, unknown"),
    ("findings.0.confidence", "maybe", "findings[0].confidence must be one of certain, possible"),
    ("findings.0.rotation", "rotated", "findings[0].rotation is not an object"),
    ("findings.0.rotation", {"status": "rotated"}, "must have a status and a detail"),
    ("findings.0.rotation", {"status": "done", "detail": "x"}, "status must be one of rotated"),
    ("findings.0.rotation", {"status": "failed", "detail": "x", "new_key": "kept"}, "new_key"),
    ("findings.0", 3, "findings[0] is not an object"),
    ("findings", "none", "findings is not a list"),
    ("repositories.0.status", "broken", "repositories[0].status must be one of ok, empty"),
    ("repositories.0.commits", 1.5, "repositories[0].commits is not a number"),
    ("scan.seconds", "fast", "scan.seconds is not a number"),
    ("scan.commits", "many", "scan.commits is not a number"),
    ("scan.skipped", {}, "scan.skipped is not a list"),
    ("scan.mode", ..., "scan.mode is missing"),
    ("scan.shard", {"index": 1}, "scan.shard must be {index, count}"),
    ("scan", [], "scan is not an object"),
    ("version", 2, "version 1 expected"),
    ("version", True, "version is not a number"),
    ("findings.0.repository", ..., "with a repository"),
]


@pytest.mark.parametrize(("path", "value", "why"), MALFORMED, ids=[m[2] for m in MALFORMED])
def test_a_malformed_report_is_refused_in_one_line(
    tmp_path: Path, run_cli: RunCli, path: str, value: object, why: str
) -> None:
    report = _sweep_report(tmp_path, run_cli, [new_key("electronhub-api-key")])
    report["findings"][0]["rotation"] = {"status": "rotated", "detail": "new key saved"}
    _break(path, value)(report)
    outcome = _merge(tmp_path, run_cli, report)
    assert outcome.code == 2
    assert outcome.err.startswith("leakstop: error: ") and outcome.err.count("\n") == 1
    assert why in outcome.err and "in.json is not a leakstop sweep report" in outcome.err
    assert "Traceback" not in outcome.err


def test_not_an_object_at_all() -> None:
    with pytest.raises(LeakstopError, match=r"^x is not a leakstop report \(the report is not"):
        parse([], "x")


def test_a_rule_of_a_newer_version_renders_by_its_id(tmp_path: Path, run_cli: RunCli) -> None:
    report = _sweep_report(tmp_path, run_cli, [new_key("electronhub-api-key")])
    report["findings"][0] |= {"rule": "acme-token", "provider": "acme"}
    for fmt in ("text", "html", "csv", "json"):
        outcome = _merge(tmp_path, run_cli, report, "--format", fmt)
        assert outcome.code == 1 and "acme-token" in outcome.out, fmt
    stand_in = known_rule("acme-token", "acme")
    assert (stand_in.title, stand_in.provider, stand_in.rotatable) == ("acme-token", "acme", False)
    assert known_rule("electronhub-api-key").title == "ElectronHub API Key"


def test_enum_values_are_the_report_words() -> None:
    status = RotationStatus.ALREADY_INVALID
    assert (str(status), f"{status}", f"{status:>16}") == (
        "already_invalid",
        "already_invalid",
        " already_invalid",
    )
    assert json.dumps([Verdict.LIVE, Confidence.POSSIBLE]) == '["live", "possible"]'
    assert {"live": 1}[Verdict.LIVE] == 1 and Verdict("unknown") is Verdict.UNKNOWN
    record = RotationRecord(RotationStatus.FAILED, "lost", new_key_lost=True)
    assert (record["status"], record["detail"]) == ("failed", "lost")
    with pytest.raises(KeyError):
        record["new_key"]


def test_blocking_follows_confidence_and_verdict() -> None:
    record = FindingRecord(rule="ecgrid-api-key", file="f")
    assert record.blocking  # no confidence stated: certain
    record.confidence = Confidence.POSSIBLE
    assert not record.blocking
    record.verified = Verdict.INVALID
    assert not record.blocking
    record.verified = Verdict.LIVE
    assert record.blocking


def test_a_remembered_finding_the_report_cannot_read_sends_the_sweep_back_to_the_start(
    tmp_path: Path, run_cli: RunCli
) -> None:
    key = new_key("scrapebit-api-key")
    first = _sweep_report(tmp_path, run_cli, [key])
    assert first["scan"]["commits"] == 1
    [state_file] = (tmp_path / "cache").glob("repo-*.json")
    data = json.loads(state_file.read_text(encoding="utf-8"))
    data["findings"][0]["confidence"] = "maybe"  # what no version of leakstop writes
    state_file.write_text(json.dumps(data), encoding="utf-8")
    args = ["sweep", "repo", "--cache", str(tmp_path / "cache"), "--format", "json"]
    again = run_cli(args, tmp_path, keys=[key])
    report = json.loads(again.out)
    assert report["scan"]["commits"] == 1, "the whole history is scanned again"
    assert report["findings"] == first["findings"]


def test_remembered_records_are_read_with_one_line_errors() -> None:
    from leakstop.report.reader import read_finding, read_skipped

    assert read_finding({"rule": "r", "file": "f", "line": 2}).line == 2
    with pytest.raises(LeakstopError, match=r"^a remembered finding is malformed \(line is not"):
        read_finding({"rule": "r", "file": "f", "line": "2"})
    assert read_skipped({"file": "f", "reason": "binary"}).reason == "binary"
    with pytest.raises(LeakstopError, match=r"skipped file is malformed \(reason is missing\)"):
        read_skipped({"file": "f"})


def test_whole_seconds_are_read_as_a_number(tmp_path: Path, run_cli: RunCli) -> None:
    report = _sweep_report(tmp_path, run_cli, [new_key("electronhub-api-key")])
    report["scan"]["seconds"] = 3
    assert parse(report, "r").scan.seconds == 3.0
    merged = _merge(tmp_path, run_cli, report)
    assert json.loads(merged.out)["scan"]["seconds"] == 3.0


def test_sarif_lists_a_rule_this_version_lacks() -> None:
    from leakstop.report import render_report
    from leakstop.report.records import Report, ScanTotals

    known = FindingRecord(rule="scrapebit-api-key", file="a", line=1, column=1)
    newer = FindingRecord(rule="acme-token", file="b", line=2, column=3, provider="acme")
    sarif = json.loads(render_report(Report(ScanTotals("files"), [known, newer]), "sarif"))
    run = sarif["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules[-1] == "acme-token" and "scrapebit-api-key" in rules
    assert [rules[r["ruleIndex"]] for r in run["results"]] == ["scrapebit-api-key", "acme-token"]
