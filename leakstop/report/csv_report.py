"""Findings as CSV for spreadsheets: one row per finding, keys redacted.

UTF-8 with a byte-order mark (so Excel reads authors' names right; Python reads it with
`encoding="utf-8-sig"`), RFC 4180 quoting, and cells that a spreadsheet would take for a
formula (`=`, `+`, `-`, `@`, tab or CR first) are prefixed with `'`, so a crafted file name
or author cannot run anything when the sheet is opened.
"""

from __future__ import annotations

import csv
import io

from leakstop.report.json_types import Json
from leakstop.report.records import Report

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


def render(report: Report) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in report.findings:
        rotation = finding.rotation
        values: dict[str, Json] = {
            **finding.to_json(),
            "verified_detail": finding.verify_reason,
            "rotation": rotation.status.value if rotation else "",
            "rotation_detail": rotation.detail if rotation else "",
        }
        writer.writerow([_cell(values.get(column)) for column in COLUMNS])
    return out.getvalue()


def _cell(value: Json) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text
