"""SARIF 2.1.0 for GitHub code scanning: one rule per key family, one result per finding.

No key material: messages carry the redacted key only, and the partial fingerprint is a
SHA-256 over (rule, file, hashed_secret), stable across runs so alerts keep their identity
when lines move.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from leakstop import __version__
from leakstop.findings import Finding, ScanResult
from leakstop.providers import all_rules
from leakstop.providers.base import Rule
from leakstop.report import verdict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SEVERITY = {"high": ("error", "9.0"), "medium": ("warning", "6.0")}


def render(result: ScanResult) -> str:
    return json.dumps(sarif_log(result), indent=2, ensure_ascii=False) + "\n"


def sarif_log(result: ScanResult) -> dict[str, Any]:
    rules = list(all_rules())
    index = {rule.id: i for i, rule in enumerate(rules)}
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
                "automationDetails": {"id": f"leakstop/{result.stats.mode}/"},
                "results": [_result(f, index[f.rule.id]) for f in result.findings],
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {
                                "level": "note",
                                "message": {"text": f"not scanned: {s.file} ({s.reason})"},
                            }
                            for s in result.skipped
                        ],
                    }
                ],
            }
        ],
    }


def _rule(rule: Rule) -> dict[str, Any]:
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


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    fingerprint = hashlib.sha256(
        f"{finding.rule.id}\0{finding.file}\0{finding.hashed_secret}".encode()
    ).hexdigest()
    where = f" in commit {finding.commit.sha[:12]}" if finding.commit else ""
    checked = verdict.label(finding.verified, finding.verify_reason)
    where += f" (verified: {checked})" if checked else ""
    level = _SEVERITY.get(finding.rule.severity, _SEVERITY["high"])[0]
    possible = finding.confidence == "possible" and finding.verified != "live"
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        # A possible key is a note ranked low, so code scanning shows it without alarm.
        "level": "note" if possible else level,
        "rank": 30.0 if possible else 90.0,
        "message": {
            "text": f"{finding.rule.title} {finding.redacted}{where}"
            + (" (possible: the evidence is ambiguous)." if possible else ".")
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.file), "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endColumn": finding.column + len(finding.secret),
                    },
                }
            }
        ],
        "partialFingerprints": {"leakstopFinding/v1": fingerprint},
    }
    properties: dict[str, Any] = {"confidence": finding.confidence}
    if finding.commit:
        properties |= {
            "commit": finding.commit.sha,
            "author": finding.commit.author,
            "date": finding.commit.date,
        }
    properties |= verdict.fields(finding.verified, finding.verify_reason)
    if properties:
        result["properties"] = properties
    return result
