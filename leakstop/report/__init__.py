"""Report formats. Every format module renders one typed `Report` (report/records.py) to
text with `render(report) -> str`, without any key material: a scan's result and a sweep's
(or merged sweeps') report become that same record first."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leakstop.findings import ScanResult
    from leakstop.report.records import Report

Reporter = Callable[["Report"], str]
"""What each format module's `render` is."""

_MODULES = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "html": "html",
    "csv": "csv_report",
}
FORMATS = tuple(_MODULES)

# A sweep's report (or a merge of several) has a text format of its own; SARIF and GitHub
# annotations are for one repository's scan.
_SWEEP_MODULES = {"text": "sweep_text", "json": "json_report", "html": "html", "csv": "csv_report"}
REPORT_FORMATS = tuple(_SWEEP_MODULES)


def reporter(fmt: str, sweep: bool = False) -> Reporter:
    """The `render` of format `fmt` (imported when asked for: a hook pays only for its own)."""
    name = (_SWEEP_MODULES if sweep else _MODULES)[fmt]
    found: Reporter = importlib.import_module(f"leakstop.report.{name}").render
    return found


def render(result: ScanResult, fmt: str) -> str:
    """A scan's result in format `fmt`."""
    from leakstop.report.records import of_scan

    return render_report(of_scan(result), fmt)


def render_report(report: Report, fmt: str) -> str:
    """Any report (a scan's, a sweep's, a merge's) in format `fmt`."""
    return reporter(fmt, sweep=report.repositories is not None)(report)
