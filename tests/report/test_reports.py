"""SARIF and GitHub annotation reports: structure GitHub accepts, and no key material."""

from __future__ import annotations

import json
import re
from typing import Any

from leakstop.providers import all_rules
from tests.testing import Repo, RunCli, new_key


def _require(obj: dict[str, Any], *keys: str) -> None:
    for key in keys:
        assert key in obj, f"SARIF object lacks required property {key!r}: {sorted(obj)}"


def validate_sarif(log: dict[str, Any]) -> None:
    """The required structure of SARIF 2.1.0 (sarifLog, run, tool, toolComponent, result,
    location, region) plus what GitHub code scanning insists on."""
    _require(log, "version", "runs")
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list) and log["runs"]
    for run in log["runs"]:
        _require(run, "tool")
        driver = run["tool"]["driver"]
        _require(driver, "name")
        rules = driver.get("rules", [])
        ids = [rule["id"] for rule in rules]
        assert len(ids) == len(set(ids)), "rule ids must be unique"
        for rule in rules:
            _require(rule, "id", "shortDescription")
            assert rule["shortDescription"]["text"]
            severity = rule.get("properties", {}).get("security-severity")
            assert severity is None or 0.0 <= float(severity) <= 10.0
        for result in run.get("results", []):
            _require(result, "message", "ruleId", "locations")
            assert result["message"].get("text"), "a result message needs text"
            if "ruleIndex" in result:
                assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert result.get("level", "warning") in {"none", "note", "warning", "error"}
            for location in result["locations"]:
                physical = location["physicalLocation"]
                uri = physical["artifactLocation"]["uri"]
                assert uri and not uri.startswith("/") and " " not in uri
                region = physical["region"]
                assert region["startLine"] >= 1
                assert region.get("startColumn", 1) >= 1
                assert region.get("endColumn", 2) > region.get("startColumn", 1)
            for value in result.get("partialFingerprints", {}).values():
                assert isinstance(value, str) and value


def test_sarif_report_is_valid_and_keyless(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("electronhub-api-key"), new_key("scrapebit-test-key")]
    repo.stage("dir with space/conf.env", f"A={keys[0]}\nB={keys[1]}\n")
    repo.commit("keys")
    outcome = run_cli(["scan", "--history", "--format", "sarif"], repo.path, keys=keys)
    assert outcome.code == 1
    log = json.loads(outcome.out)
    validate_sarif(log)
    [run] = log["runs"]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {r.id for r in all_rules()}
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["electronhub-api-key", "scrapebit-test-key"]
    assert [r["level"] for r in results] == ["error", "warning"]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir%20with%20space/conf.env"
    fingerprints = {next(iter(r["partialFingerprints"].values())) for r in results}
    assert len(fingerprints) == 2
    assert results[0]["properties"]["commit"] == repo.git("rev-parse", "HEAD").strip()


def test_sarif_fingerprint_is_stable_when_the_line_moves(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("syncline-user-key")
    repo.stage("a.txt", f"{key}\n")
    first = json.loads(run_cli(["scan", "--format", "sarif"], repo.path, keys=[key]).out)
    repo.stage("a.txt", f"moved down\n\n{key}\n")
    second = json.loads(run_cli(["scan", "--format", "sarif"], repo.path, keys=[key]).out)

    def fingerprint(log: dict[str, Any]) -> str:
        return str(log["runs"][0]["results"][0]["partialFingerprints"])

    assert fingerprint(first) == fingerprint(second)


def test_sarif_with_no_findings_and_skipped_files(repo: Repo, run_cli: RunCli) -> None:
    repo.stage("blob.bin", b"\x00\x01binary")
    outcome = run_cli(["scan", "--format", "sarif"], repo.path)
    assert outcome.code == 0
    log = json.loads(outcome.out)
    validate_sarif(log)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "blob.bin" in notes[0]["message"]["text"]


def test_github_annotations_escape_and_redact(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("odd,name:1.env", f"SB={key}\n")
    outcome = run_cli(["scan", "--format", "github"], repo.path, keys=[key])
    assert outcome.code == 1
    line = outcome.out.splitlines()[0]
    match = re.fullmatch(r"::error file=([^,]+),line=1,col=4,title=([^:]+)::(.+)", line)
    assert match, line
    assert match.group(1) == "odd%2Cname%3A1.env"
    assert "Scrapebit API Key sb_live_" in match.group(3)
    assert outcome.out.splitlines()[-1] == "leakstop: 1 API key found."
