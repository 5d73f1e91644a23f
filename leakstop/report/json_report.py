"""The stable JSON report (DESIGN.md): version 1, scan totals, findings without key material."""

from __future__ import annotations

import json

from leakstop.findings import Finding
from leakstop.report.records import JsonObject, Report, of_finding


def finding_record(finding: Finding) -> JsonObject:
    """One finding's JSON record (what a sweep remembers of it)."""
    return of_finding(finding).to_json()


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
