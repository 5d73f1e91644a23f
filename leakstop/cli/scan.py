"""`leakstop scan`: parse the options, run the scan job (leakstop/scan_job.py), exit with
its code."""

from __future__ import annotations

import sys
from typing import Any

import click

from leakstop.cli.confirm import terminal_confirm
from leakstop.cli.options import say, scan_options, show


@click.command("scan")
@scan_options
def scan_command(**options: Any) -> None:
    """Scan files, staged changes, a range of commits, a push or the whole history for API
    keys."""
    from leakstop.scan_job import ScanOptions, run_scan

    sys.exit(run_scan(ScanOptions(**options), say=say, show=show, confirm=terminal_confirm))
