"""`leakstop sweep` and `leakstop merge` end to end, without the command line: collect the
targets, sweep them, triage (--verify / --rotate), write one report, sum the run up and
return the exit code. Everything the user sees goes through callbacks the CLI passes in
(`say`: one remark, `write`: the report), and the one question (may keys be changed?)
through `confirm`, so this module imports no UI library."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.report import render_report
from leakstop.report.records import Report
from leakstop.rotation.apply import Confirm
from leakstop.rotation.summary import RotationTally
from leakstop.sources.text import DEFAULT_MAX_BYTES
from leakstop.sweep import cache, report, run, targets, triage

Say = Callable[[str], None]
"""One remark for the user (the CLI prints it as `leakstop: <line>` on stderr)."""
Write = Callable[[str], None]
"""The rendered report (the CLI writes it to --output or stdout)."""


@dataclass(frozen=True)
class SweepOptions:
    """What `leakstop sweep` was asked to do, as parsed from its command line (the fields
    are named as the command's parameters)."""

    targets: Sequence[str]
    lists: Sequence[str] = ()
    cache_dir: str | None = None
    jobs: int | None = None
    shard: str | None = None
    scheduler: str | None = None
    rescan: bool = False
    timeout: float = cache.DEFAULT_TIMEOUT
    max_file_size: int = DEFAULT_MAX_BYTES
    fmt: str = "text"
    output: str | None = None
    ignore_errors: bool = False
    verify: bool = False
    rotate: bool = False
    yes: bool = False
    dry_run: bool = False
    deliver_spec: str | None = None
    call_interval: float = triage.DEFAULT_INTERVAL
    """Seconds between two calls to the same provider."""


def sweep_and_report(
    options: SweepOptions, *, cwd: Path, confirm: Confirm, say: Say, write: Write
) -> int:
    """Sweep the repositories `options` name into one report; the exit code."""
    found = targets.collect(options.targets, options.lists, cwd)
    if not found:
        raise LeakstopError("no repositories to sweep: name paths, URLs or --list FILE")
    split = targets.parse_shard(options.shard) if options.shard else None
    if split is not None:
        found = [t for t in found if targets.in_shard(t, *split)]
    store = cache.Cache(Path(options.cache_dir) if options.cache_dir else cache.default_dir())
    triaging = options.verify or options.rotate
    if triaging:  # what would stop the triage is found before the long sweep, not after
        triage.preflight(
            rotate=options.rotate,
            yes=options.yes,
            dry_run=options.dry_run,
            deliver_spec=options.deliver_spec,
        )
    swept = _engine(
        run.SweepRequest(
            targets=found,
            cache=store,
            jobs=options.jobs,
            timeout=options.timeout,
            rescan=options.rescan,
            max_bytes=options.max_file_size,
            say=say,
            scheduler=options.scheduler or None,
            keep_keys=triaging,
        )
    )
    result = report.of_sweep(swept, split)
    if triaging:
        triage.triage_sweep(
            swept,
            result.findings,
            rotate=options.rotate,
            confirm=confirm,
            dry_run=options.dry_run,
            deliver_spec=options.deliver_spec,
            interval=options.call_interval,
            say=say,
        )
    report.settle(result)
    write(render_report(result, options.fmt))
    return conclude(result, options.output, options.ignore_errors, say, rotating=options.rotate)


def merge_and_report(
    paths: Sequence[str],
    *,
    partial: bool,
    fmt: str,
    output: str | None,
    ignore_errors: bool,
    say: Say,
    write: Write,
) -> int:
    """Join the JSON reports of a sharded sweep (or render one in another format); the
    exit code, as the unsharded sweep would have had it."""
    merged = report.merge_reports([(path, report.load(path)) for path in paths], partial)
    write(render_report(merged, fmt))
    return conclude(merged, output, ignore_errors, say)


def conclude(
    result: Report,
    output: str | None,
    ignore_errors: bool,
    say: Say,
    rotating: bool = False,
) -> int:
    """Sum the report up for the user (findings, repositories not swept, rotation outcomes)
    and return its exit code."""
    failed = report.failures(result)
    findings = result.findings
    repositories = result.repositories or []
    say(
        f"{len(findings)} finding(s) in {len(repositories)} "
        f"repositor{'y' if len(repositories) == 1 else 'ies'}"
        + (f", {len(failed)} could not be swept" if failed else "")
        + (f"; report in {output}" if output else "")
    )
    for repo in failed:
        say(f"not swept: {repo.repository}: {repo.reason}")
    rotation = report.rotation_tally(result)
    if rotation is None and rotating:
        rotation = RotationTally()
    if rotation is not None:  # every rotating run ends with its one-line summary
        say(f"rotation: {rotation.line()}")
    return report.exit_code(result, ignore_errors)


def _engine(request: run.SweepRequest) -> run.Sweep:
    """This machine, or the Dask cluster `--scheduler` names (imported only then)."""
    if request.scheduler:
        from leakstop.sweep.distributed import sweep_on

        return sweep_on(request.scheduler, request)
    return run.sweep(request)
