"""`leakstop scan`: parse options, pick the source, run the scan, write the report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leakstop.errors import LeakstopError
from leakstop.report import FORMATS
from leakstop.sources.text import DEFAULT_MAX_BYTES


@click.command("scan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--staged", is_flag=True, help="Added lines of the index against HEAD (pre-commit).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="detect-secrets baseline of accepted findings [default: .secrets.baseline if present].",
)
@click.option("--no-baseline", is_flag=True, help="Ignore any baseline.")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Skip (and name in the report) files larger than this many bytes.",
)
def scan_command(
    paths: tuple[str, ...],
    staged: bool,
    fmt: str,
    output: str | None,
    baseline: str | None,
    no_baseline: bool,
    max_file_size: int,
) -> None:
    """Scan files, or staged changes, for leaked API keys."""
    from leakstop.scan_request import ScanRequest, run

    if staged and paths:
        raise LeakstopError("--staged scans the index; it takes no PATH arguments")
    if baseline and no_baseline:
        raise LeakstopError("--baseline and --no-baseline contradict each other")
    request = ScanRequest(
        cwd=Path.cwd(),
        mode="staged" if staged else "files",
        paths=paths,
        baseline=Path(baseline) if baseline else None,
        use_baseline=not no_baseline,
        max_bytes=max_file_size,
    )
    result = run(request)

    from leakstop.report import render

    rendered = render(result, fmt)
    if output:
        try:
            Path(output).write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise LeakstopError(f"cannot write report to {output}: {exc.strerror}") from None
        if result.findings:
            click.echo(f"leakstop: {len(result.findings)} finding(s); report in {output}", err=True)
    else:
        click.echo(rendered, nl=False)
    sys.exit(1 if result.findings else 0)
