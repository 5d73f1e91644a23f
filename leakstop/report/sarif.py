"""SARIF 2.1.0 for GitHub code scanning: one rule per key family, one result per finding.

No key material: messages carry the redacted key only, and the partial fingerprint is a
SHA-256 over (rule, file, hashed_secret), stable across runs so alerts keep their identity
when lines move.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import quote

from leakstop import __version__
from leakstop.outcomes import Confidence, Verdict
from leakstop.providers import all_rules
from leakstop.providers.base import Rule
from leakstop.report import verdict
from leakstop.report.json_types import JsonObject
from leakstop.report.records import VERIFY_REASON_FIELDS, FindingRecord, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SEVERITY = {"high": ("error", "9.0"), "medium": ("warning", "6.0")}
_VERDICT_FIELDS = ("verified", *VERIFY_REASON_FIELDS)
"""What a result's `properties` carry of the JSON report's verdict (with --verify)."""


def render(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: Report) -> JsonObject:
    rules = list(all_rules())
    index = {rule.id: i for i, rule in enumerate(rules)}
    for finding in report.findings:  # a rule of a newer version's report: listed after ours
        if finding.rule not in index:
            index[finding.rule] = len(rules)
            rules.append(finding.kind)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "leakstop",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/leakstop/leakstop",
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "automationDetails": {"id": f"leakstop/{report.scan.mode}/"},
                "results": [_result(f, index[f.rule]) for f in report.findings],
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {
                                "level": "note",
                                "message": {"text": f"not scanned: {s.file} ({s.reason})"},
                            }
                            for s in report.scan.skipped
                        ],
                    }
                ],
            }
        ],
    }


def _rule(rule: Rule) -> JsonObject:
    level, score = _SEVERITY.get(rule.severity, _SEVERITY["high"])
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": f"{rule.title} committed"},
        "fullDescription": {
            "text": f"{rule.title} ({rule.prefix or 'GUID'}…) committed to the repository: "
            "anyone who can read the repository or its history can use it."
        },
        "help": {
            "text": f"Remove the key from the code and treat it as leaked: {rule.guidance}.",
            "markdown": f"Remove the key from the code and treat it as leaked: {rule.guidance}.",
        },
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": ["security", "secret", rule.provider],
            "security-severity": score,
            "precision": "high",
        },
    }


def _result(finding: FindingRecord, rule_index: int) -> JsonObject:
    rule = finding.kind
    fingerprint = hashlib.sha256(
        f"{finding.rule}\0{finding.file}\0{finding.hashed_secret}".encode()
    ).hexdigest()
    where = f" in commit {finding.commit[:12]}" if finding.commit else ""
    checked = verdict.label(finding.verified, finding.verify_reason)
    where += f" (verified: {checked})" if checked else ""
    level = _SEVERITY.get(rule.severity, _SEVERITY["high"])[0]
    possible = finding.possible and finding.verified != Verdict.LIVE
    line, column = finding.line or 1, finding.column or 1
    result: JsonObject = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        # A possible key is a note ranked low, so code scanning shows it without alarm.
        "level": "note" if possible else level,
        "rank": 30.0 if possible else 90.0,
        "message": {
            "text": f"{rule.title} {finding.redacted}{where}"
            + (" (possible: the evidence is ambiguous)." if possible else ".")
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.file), "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": line,
                        "startColumn": column,
                        "endColumn": column + (finding.length or 0),
                    },
                }
            }
        ],
        "partialFingerprints": {"leakstopFinding/v1": fingerprint},
    }
    properties: JsonObject = {"confidence": str(finding.confidence or Confidence.CERTAIN)}
    if finding.commit:
        properties |= {"commit": finding.commit, "author": finding.author, "date": finding.date}
    properties |= {
        name: value for name, value in finding.to_json().items() if name in _VERDICT_FIELDS
    }
    result["properties"] = properties  # never empty: the confidence is always there
    return result
