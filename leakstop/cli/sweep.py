"""`leakstop sweep`: parse options, call the sweep pipeline (leakstop/sweep/pipeline.py)."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from leakstop.cli.options import (
    bundle,
    check_triage,
    max_file_size_option,
    report_options,
    say,
    triage_options,
    write_report,
)
from leakstop.report import REPORT_FORMATS
from leakstop.sweep.cache import DEFAULT_TIMEOUT
from leakstop.sweep.triage import DEFAULT_INTERVAL

sweep_options = bundle(
    click.argument("targets", nargs=-1),
    click.option(
        "--list",
        "lists",
        multiple=True,
        metavar="FILE",
        help="A file naming repositories, one per line, '#' comments ('-': stdin). Repeatable.",
    ),
    click.option(
        "--cache",
        "cache_dir",
        metavar="DIR",
        help="Mirrors and per-repository sweep state [default: $XDG_CACHE_HOME/leakstop/mirrors].",
    ),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        help="git processes at a time, shared by the repositories [default: cores]; "
        "with --scheduler, per task [default: 1].",
    ),
    click.option("--shard", metavar="I/N", help="Sweep only the I-th of N shares of the list."),
    click.option(
        "--scheduler",
        metavar="ADDRESS",
        envvar="LEAKSTOP_SCHEDULER",
        help="Sweep on this Dask cluster (tcp://HOST:8786; needs leakstop[dask]) "
        "[env: LEAKSTOP_SCHEDULER].",
    ),
    click.option("--rescan", is_flag=True, help="Forget what earlier runs scanned: scan it all."),
    click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Seconds a clone or update of one repository may take.",
    ),
    report_options(REPORT_FORMATS),
    click.option(
        "--ignore-errors",
        is_flag=True,
        help="Repositories that cannot be swept are listed but do not make the exit code 1.",
    ),
    triage_options("Regenerate each distinct key the check finds live."),
    click.option(
        "--call-interval",
        type=click.FloatRange(min=0),
        default=DEFAULT_INTERVAL,
        show_default=True,
        help="Seconds between two calls to the same provider (--verify, --rotate).",
    ),
    max_file_size_option("changes"),
)


@click.command("sweep")
@sweep_options
def sweep_command(**params: Any) -> None:
    """Scan the full history of many repositories (paths, git URLs, list files) into one
    report. Exit 1 on findings or on a repository that could not be swept."""
    from leakstop.cli.confirm import terminal_confirm
    from leakstop.sweep.pipeline import SweepOptions, sweep_and_report

    options = SweepOptions(**params)
    check_triage(options.rotate, options.yes, options.dry_run, options.deliver_spec)
    write = partial(write_report, output=options.output)
    sys.exit(
        sweep_and_report(
            options, cwd=Path.cwd(), confirm=terminal_confirm(options.yes), say=say, write=write
        )
    )
