"""Report formats; each renders a ScanResult to text without any key material."""

from __future__ import annotations

import importlib

from leakstop.findings import ScanResult

_MODULES = {"text": "text", "json": "json_report", "sarif": "sarif", "github": "github"}
FORMATS = tuple(_MODULES)


def render(result: ScanResult, fmt: str) -> str:
    module = importlib.import_module(f"leakstop.report.{_MODULES[fmt]}")
    rendered: str = module.render(result)
    return rendered
