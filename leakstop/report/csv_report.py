"""Findings as CSV for spreadsheets: one row per finding, keys redacted.

UTF-8 with a byte-order mark (so Excel reads authors' names right; Python reads it with
`encoding="utf-8-sig"`), RFC 4180 quoting, and cells that a spreadsheet would take for a
formula (`=`, `+`, `-`, `@`, tab or CR first) are prefixed with `'`, so a crafted file name
or author cannot run anything when the sheet is opened.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from leakstop.findings import ScanResult
from leakstop.report import verdict

COLUMNS = (
    "repository",
    "provider",
    "rule",
    "file",
    "line",
    "column",
    "commit",
    "author",
    "date",
    "redacted",
    "confidence",
    "hashed_secret",
    "verified",
    "verified_detail",
    "rotation",
    "rotation_detail",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def render(result: ScanResult) -> str:
    from leakstop.report.json_report import report_dict

    return render_report(report_dict(result))


def render_report(report: dict[str, Any]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in report.get("findings", []):
        rotation = finding.get("rotation") or {}
        values = {
            **finding,
            "verified_detail": verdict.reason_of(finding),
            "rotation": rotation.get("status", ""),
            "rotation_detail": rotation.get("detail", ""),
        }
        writer.writerow([_cell(values.get(column)) for column in COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text
