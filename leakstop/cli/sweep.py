"""`leakstop sweep`: parse options, run the sweep, triage, write one combined report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from leakstop.cli.options import (
    check_triage,
    max_file_size_option,
    report_options,
    triage_options,
    write_report,
)
from leakstop.errors import LeakstopError
from leakstop.report import REPORT_FORMATS
from leakstop.sweep.cache import DEFAULT_TIMEOUT
from leakstop.sweep.triage import DEFAULT_INTERVAL

if TYPE_CHECKING:
    from leakstop.report.records import Report


@click.command("sweep")
@click.argument("targets", nargs=-1)
@click.option(
    "--list",
    "lists",
    multiple=True,
    metavar="FILE",
    help="A file naming repositories, one per line, '#' comments ('-': stdin). Repeatable.",
)
@click.option(
    "--cache",
    "cache_dir",
    metavar="DIR",
    help="Mirrors and per-repository sweep state [default: $XDG_CACHE_HOME/leakstop/mirrors].",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="git processes at a time, shared by the repositories [default: cores]; "
    "with --scheduler, per task [default: 1].",
)
@click.option("--shard", metavar="I/N", help="Sweep only the I-th of N shares of the list.")
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    envvar="LEAKSTOP_SCHEDULER",
    help="Sweep on this Dask cluster (tcp://HOST:8786; needs leakstop[dask]) "
    "[env: LEAKSTOP_SCHEDULER].",
)
@click.option("--rescan", is_flag=True, help="Forget what earlier runs scanned: scan it all.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds a clone or update of one repository may take.",
)
@report_options(REPORT_FORMATS)
@click.option(
    "--ignore-errors",
    is_flag=True,
    help="Repositories that cannot be swept are listed but do not make the exit code 1.",
)
@triage_options("Regenerate each distinct key the check finds live.")
@click.option(
    "--call-interval",
    type=click.FloatRange(min=0),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="Seconds between two calls to the same provider (--verify, --rotate).",
)
@max_file_size_option("changes")
def sweep_command(
    targets: tuple[str, ...],
    lists: tuple[str, ...],
    cache_dir: str | None,
    jobs: int | None,
    shard: str | None,
    scheduler: str | None,
    rescan: bool,
    timeout: float,
    fmt: str,
    output: str | None,
    ignore_errors: bool,
    verify: bool,
    rotate: bool,
    yes: bool,
    dry_run: bool,
    deliver_spec: str | None,
    call_interval: float,
    max_file_size: int,
) -> None:
    """Scan the full history of many repositories (paths, git URLs, list files) into one
    report. Exit 1 on findings or on a repository that could not be swept."""
    from leakstop.report import render_report
    from leakstop.sweep import cache, report, run
    from leakstop.sweep import targets as target_list

    check_triage(rotate, yes, dry_run, deliver_spec)
    cwd = Path.cwd()
    found = target_list.collect(targets, lists, cwd)
    if not found:
        raise LeakstopError("no repositories to sweep: name paths, URLs or --list FILE")
    split = target_list.parse_shard(shard) if shard else None
    if split is not None:
        found = [t for t in found if target_list.in_shard(t, *split)]
    store = cache.Cache(Path(cache_dir) if cache_dir else cache.default_dir())
    if verify or rotate:
        from leakstop.sweep.triage import preflight

        preflight(rotate=rotate, yes=yes, dry_run=dry_run, deliver_spec=deliver_spec)

    def say(line: str) -> None:
        click.echo(f"leakstop: {line}", err=True)

    swept = run.sweep(
        run.SweepRequest(
            targets=found,
            cache=store,
            jobs=jobs,
            timeout=timeout,
            rescan=rescan,
            max_bytes=max_file_size,
            say=say,
            scheduler=scheduler or None,
            keep_keys=verify or rotate,
        )
    )
    result = report.of_sweep(swept, split)
    if verify or rotate:
        from leakstop.cli.confirm import terminal_confirm
        from leakstop.sweep.triage import triage_sweep

        triage_sweep(
            swept,
            result.findings,
            rotate=rotate,
            confirm=terminal_confirm(yes),
            dry_run=dry_run,
            deliver_spec=deliver_spec,
            interval=call_interval,
            say=say,
        )
    report.settle(result)
    write_report(render_report(result, fmt), output)
    finish(result, output, ignore_errors, rotating=rotate)


def finish(result: Report, output: str | None, ignore_errors: bool, rotating: bool = False) -> None:
    from leakstop.sweep import report

    failed = report.failures(result)
    findings = result.findings
    repositories = result.repositories or []
    summary = (
        f"leakstop: {len(findings)} finding(s) in {len(repositories)} "
        f"repositor{'y' if len(repositories) == 1 else 'ies'}"
        + (f", {len(failed)} could not be swept" if failed else "")
        + (f"; report in {output}" if output else "")
    )
    click.echo(summary, err=True)
    for repo in failed:
        click.echo(f"leakstop: not swept: {repo.repository}: {repo.reason}", err=True)
    rotation = report.rotation_tally(result)
    if rotation is None and rotating:
        from leakstop.rotation.summary import RotationTally

        rotation = RotationTally()
    if rotation is not None:  # every rotating run ends with its one-line summary
        click.echo(f"leakstop: rotation: {rotation.line()}", err=True)
    sys.exit(report.exit_code(result, ignore_errors))
