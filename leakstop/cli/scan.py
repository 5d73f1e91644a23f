"""`leakstop scan`: parse options, pick the source, run the scan, write the report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leakstop.cli.options import (
    check_triage,
    max_file_size_option,
    report_options,
    triage_options,
    write_report,
)
from leakstop.errors import LeakstopError
from leakstop.report import FORMATS


@click.command("scan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--staged", is_flag=True, help="Added lines of the index against HEAD (pre-commit).")
@click.option(
    "--range", "revision_range", metavar="A..B", help="Added lines of the commits in A..B."
)
@click.option(
    "--pre-push",
    is_flag=True,
    help="Commits a push sends, from git's pre-push lines on stdin (args: [REMOTE [URL]]) "
    "or pre-commit's PRE_COMMIT_FROM_REF/TO_REF.",
)
@click.option(
    "--pre-receive",
    is_flag=True,
    help="Server side: commits a push brings that no existing ref reaches, from the "
    "pre-receive hook's '<old> <new> <ref>' lines on stdin.",
)
@click.option("--history", is_flag=True, help="Added lines of every commit reachable from any ref.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="git processes for commit scans [default: cores].",
)
@report_options(FORMATS)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="detect-secrets baseline of accepted findings [default: .secrets.baseline if "
    "present]. For --range, --pre-push and --pre-receive it is read as it is on the trusted "
    "side (the range's base, the remote's or server's current tip), unless FILE is outside "
    "the repository.",
)
@click.option("--no-baseline", is_flag=True, help="Ignore any baseline.")
@click.option(
    "--trust-pragmas/--no-trust-pragmas",
    default=None,
    help="Whether `pragma: allowlist secret` comments in the scanned text suppress findings "
    "[default: $LEAKSTOP_TRUST_PRAGMAS, else yes, except for --range, --pre-push and "
    "--pre-receive, where the commits judged could add their own pragmas].",
)
@triage_options("Regenerate each distinct live key at its provider.")
@max_file_size_option(
    "staged and committed changes",
    " Files mode reads a larger file in pieces of this size instead.",
)
def scan_command(
    paths: tuple[str, ...],
    staged: bool,
    revision_range: str | None,
    pre_push: bool,
    pre_receive: bool,
    history: bool,
    jobs: int | None,
    fmt: str,
    output: str | None,
    baseline: str | None,
    no_baseline: bool,
    trust_pragmas: bool | None,
    verify: bool,
    rotate: bool,
    yes: bool,
    dry_run: bool,
    deliver_spec: str | None,
    max_file_size: int,
) -> None:
    """Scan files, staged changes, a range of commits, a push or the whole history for API
    keys."""
    from leakstop.scan import ScanRequest, run

    modes = [
        name
        for name, on in (
            ("staged", staged),
            ("range", revision_range),
            ("pre-push", pre_push),
            ("pre-receive", pre_receive),
            ("history", history),
        )
        if on
    ]
    if len(modes) > 1:
        raise LeakstopError(f"choose one of --{' / --'.join(modes)}")
    mode = modes[0] if modes else "files"
    remote = None
    if mode == "pre-push":
        if len(paths) > 2:
            raise LeakstopError("--pre-push takes at most REMOTE and URL, as git gives a hook")
        remote, paths = (paths[0] if paths else None), ()
    if mode != "files" and paths:
        raise LeakstopError(f"--{mode} scans git objects; it takes no PATH arguments")
    check_triage(rotate, yes, dry_run, deliver_spec)
    if baseline and no_baseline:
        raise LeakstopError("--baseline and --no-baseline contradict each other")
    request = ScanRequest(
        cwd=Path.cwd(),
        mode=mode,
        paths=paths,
        revision_range=revision_range,
        jobs=jobs,
        progress=True,
        baseline=Path(baseline) if baseline else None,
        use_baseline=not no_baseline,
        max_bytes=max_file_size,
        remote=remote,
        note=lambda remark: click.echo(f"leakstop: {remark}", err=True),
        trust_pragmas=trust_pragmas,
    )
    result = run(request)
    if (verify or rotate) and result.findings:
        from leakstop.cli.confirm import terminal_confirm
        from leakstop.rotation.apply import triage

        triage(
            result.findings,
            verify=verify,
            rotate=rotate,
            confirm=terminal_confirm(yes),
            dry_run=dry_run,
            deliver_spec=deliver_spec,
            cwd=Path.cwd(),
            say=lambda line: click.echo(f"leakstop: {line}", err=True),
        )

    if result.findings:
        from leakstop.situation import detect

        result.situation = detect(
            mode,
            Path.cwd(),
            (f.commit.sha for f in result.findings if f.commit),
            revision_range=revision_range,
        )
    from leakstop.exit_codes import for_findings
    from leakstop.report import render
    from leakstop.rotation.summary import RotationTally, of_findings

    write_report(render(result, fmt), output)
    if output and result.findings:
        click.echo(f"leakstop: {len(result.findings)} finding(s); report in {output}", err=True)
    tally = (of_findings(result.findings) or RotationTally()) if rotate else None
    if tally is not None:  # every rotating run ends with its one-line summary
        click.echo(f"leakstop: rotation: {tally.line()}", err=True)
    sys.exit(for_findings(result.blocking, tally))
