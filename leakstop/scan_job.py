"""`leakstop scan` from its parsed options to an exit code: the mode the options choose, the
scan, --verify and --rotate, the report and the rotation summary. Click-free: lines for the
user go through `say`, the report through `show`, and the question before keys change
through `confirm` (all three the command line's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leakstop.command import check_triage, write_report
from leakstop.errors import LeakstopError
from leakstop.exit_codes import ExitCode, for_findings
from leakstop.scan import ScanRequest, run
from leakstop.sources.text import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from leakstop.rotation.apply import Confirm


@dataclass(frozen=True)
class ScanOptions:
    """The options of `leakstop scan`, as the command line names them."""

    paths: tuple[str, ...] = ()
    staged: bool = False
    revision_range: str | None = None
    pre_push: bool = False
    pre_receive: bool = False
    history: bool = False
    jobs: int | None = None
    fmt: str = "text"
    output: str | None = None
    baseline: str | None = None
    no_baseline: bool = False
    trust_pragmas: bool | None = None
    verify: bool = False
    rotate: bool = False
    yes: bool = False
    dry_run: bool = False
    deliver_spec: str | None = None
    max_file_size: int = DEFAULT_MAX_BYTES


def run_scan(
    options: ScanOptions,
    *,
    say: Callable[[str], None],
    show: Callable[[str], None],
    confirm: Callable[[bool], Confirm],
) -> ExitCode:
    """Run the scan the options ask for and write its report; `confirm(yes)` gives the
    question asked before --rotate changes keys."""
    request = _request(options, say)
    result = run(request)
    if (options.verify or options.rotate) and result.findings:
        from leakstop.rotation.apply import triage

        triage(
            result.findings,
            verify=options.verify,
            rotate=options.rotate,
            confirm=confirm(options.yes),
            dry_run=options.dry_run,
            deliver_spec=options.deliver_spec,
            cwd=request.cwd,
            say=say,
        )
    if result.findings:
        from leakstop.situation import detect

        result.situation = detect(
            request.mode,
            request.cwd,
            (f.commit.sha for f in result.findings if f.commit),
            revision_range=options.revision_range,
        )
    from leakstop.report import render

    write_report(render(result, options.fmt), options.output, show)
    if options.output and result.findings:
        say(f"{len(result.findings)} finding(s); report in {options.output}")
    if not options.rotate:
        return for_findings(result.blocking)
    from leakstop.rotation.summary import RotationTally, of_findings

    tally = of_findings(result.findings) or RotationTally()
    say(f"rotation: {tally.line()}")  # every rotating run ends with its one-line summary
    return for_findings(result.blocking, tally)


def _request(options: ScanOptions, say: Callable[[str], None]) -> ScanRequest:
    """The scan request the options make, or a one-line error for options that contradict
    each other."""
    modes = [
        name
        for name, on in (
            ("staged", options.staged),
            ("range", options.revision_range),
            ("pre-push", options.pre_push),
            ("pre-receive", options.pre_receive),
            ("history", options.history),
        )
        if on
    ]
    if len(modes) > 1:
        raise LeakstopError(f"choose one of --{' / --'.join(modes)}")
    mode = modes[0] if modes else "files"
    paths, remote = options.paths, None
    if mode == "pre-push":
        if len(paths) > 2:
            raise LeakstopError("--pre-push takes at most REMOTE and URL, as git gives a hook")
        remote, paths = (paths[0] if paths else None), ()
    if mode != "files" and paths:
        raise LeakstopError(f"--{mode} scans git objects; it takes no PATH arguments")
    check_triage(options.rotate, options.yes, options.dry_run, options.deliver_spec)
    if options.baseline and options.no_baseline:
        raise LeakstopError("--baseline and --no-baseline contradict each other")
    return ScanRequest(
        cwd=Path.cwd(),
        mode=mode,
        paths=paths,
        revision_range=options.revision_range,
        jobs=options.jobs,
        progress=True,
        baseline=Path(options.baseline) if options.baseline else None,
        use_baseline=not options.no_baseline,
        max_bytes=options.max_file_size,
        remote=remote,
        note=say,
        trust_pragmas=options.trust_pragmas,
    )
