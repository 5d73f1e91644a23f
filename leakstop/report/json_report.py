"""The stable JSON report (DESIGN.md): version 1, scan totals, findings without key material."""

from __future__ import annotations

import json
from typing import Any

from leakstop.findings import Finding, ScanResult
from leakstop.report import verdict


def finding_record(finding: Finding) -> dict[str, Any]:
    record: dict[str, Any] = {
        "provider": finding.provider,
        "rule": finding.rule.id,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "commit": finding.commit.sha if finding.commit else None,
        "hashed_secret": finding.hashed_secret,
        "redacted": finding.redacted,
        "confidence": finding.confidence,
    }
    if finding.commit:
        record["author"] = finding.commit.author
        record["date"] = finding.commit.date
    record |= verdict.fields(finding.verified, finding.verify_reason)
    if finding.rotation is not None:
        record["rotation"] = dict(finding.rotation)
    return record


def report_dict(result: ScanResult) -> dict[str, Any]:
    from leakstop.rotation.summary import of_findings

    stats = result.stats
    tally = of_findings(result.findings)
    report: dict[str, Any] = {
        "version": 1,
        "scan": {
            "mode": stats.mode,
            "commits": stats.commits,
            "files": stats.files,
            "bytes": stats.bytes,
            "seconds": stats.seconds,
            "suppressed": result.suppressed,
            "skipped": [
                {"file": s.file, "reason": s.reason, **({"commit": s.commit} if s.commit else {})}
                for s in result.skipped
            ],
        },
        "findings": [finding_record(f) for f in result.findings],
    }
    if tally is not None:  # --rotate: the totals of the run's one-line summary
        report["scan"]["rotation"] = tally.as_dict()
    return report


def render(result: ScanResult) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"


def render_report(report: dict[str, Any]) -> str:
    """Any report dict (a sweep's, a merge's) as JSON text."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
