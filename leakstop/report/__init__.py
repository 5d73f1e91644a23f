"""Report formats; each renders a ScanResult to text without any key material."""

from __future__ import annotations

from leakstop.findings import ScanResult

FORMATS = ("text", "json")


def render(result: ScanResult, fmt: str) -> str:
    if fmt == "json":
        from leakstop.report import json_report

        return json_report.render(result)
    from leakstop.report import text

    return text.render(result)
