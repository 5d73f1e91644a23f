"""The stable JSON report (DESIGN.md): version 1, scan totals, findings without key material."""

from __future__ import annotations

import json

from leakstop.report.records import Report


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
