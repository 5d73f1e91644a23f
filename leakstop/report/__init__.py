"""Report formats; each renders a ScanResult to text without any key material."""

from __future__ import annotations

import importlib
from typing import Any

from leakstop.findings import ScanResult

_MODULES = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "html": "html",
    "csv": "csv_report",
}
FORMATS = tuple(_MODULES)

# Formats that render a JSON report dict (a sweep's, or a merge of several).
_REPORT_MODULES = {"text": "sweep_text", "json": "json_report", "html": "html", "csv": "csv_report"}
REPORT_FORMATS = tuple(_REPORT_MODULES)


def render(result: ScanResult, fmt: str) -> str:
    module = importlib.import_module(f"leakstop.report.{_MODULES[fmt]}")
    rendered: str = module.render(result)
    return rendered


def render_report(report: dict[str, Any], fmt: str) -> str:
    module = importlib.import_module(f"leakstop.report.{_REPORT_MODULES[fmt]}")
    rendered: str = module.render_report(report)
    return rendered
