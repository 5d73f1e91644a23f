"""`leakstop merge`: join the JSON reports of a sharded sweep into one report."""

from __future__ import annotations

import sys

import click

from leakstop.cli.options import report_options, say, write_report
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
    from leakstop.sweep.pipeline import merge_and_report

    sys.exit(
        merge_and_report(
            reports,
            partial=partial,
            fmt=fmt,
            output=output,
            ignore_errors=ignore_errors,
            say=say,
            write=lambda text: write_report(text, output),
        )
    )
