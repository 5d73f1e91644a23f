"""`leakstop merge`: join the JSON reports of a sharded sweep into one report."""

from __future__ import annotations

import click

from leakstop.cli.options import report_options
from leakstop.report import REPORT_FORMATS


@click.command("merge")
@click.argument("reports", nargs=-1, required=True)
@report_options(REPORT_FORMATS, default="json")
@click.option("--partial", is_flag=True, help="Merge even when some shards are missing.")
@click.option(
    "--ignore-errors",
    is_flag=True,
    help="Repositories that could not be swept do not make the exit code 1.",
)
def merge_command(
    reports: tuple[str, ...], fmt: str, output: str | None, partial: bool, ignore_errors: bool
) -> None:
    """Join `leakstop sweep --shard I/N --format json` reports (the same report as one
    unsharded sweep); also renders one report in another format. Exit 1 on findings or
    repositories that could not be swept."""
    from leakstop.cli.options import write_report
    from leakstop.cli.sweep import finish
    from leakstop.report import render_report
    from leakstop.sweep import report

    merged = report.merge_reports([(path, report.load(path)) for path in reports], partial)
    write_report(render_report(merged, fmt), output)
    finish(merged, output, ignore_errors)
