"""The `leakstop` entry point: one exit-code policy for every command (the table is in
leakstop/exit_codes.py), and a click-free fast path for the exact call the pre-commit hook
makes (`leakstop scan --staged`), where importing click would cost more than the scan itself."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from leakstop.errors import LeakstopError
from leakstop.exit_codes import ExitCode, for_findings

_HOOK_CALL = ["scan", "--staged"]


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else argv
    if args == _HOOK_CALL:
        return _guarded(_scan_staged)
    return _guarded(lambda: _click_main(args))


def _scan_staged() -> None:
    from pathlib import Path

    from leakstop.report import render
    from leakstop.scan import ScanRequest, run
    from leakstop.situation import Situation, ci_system

    result = run(ScanRequest(cwd=Path.cwd(), mode="staged", progress=True))
    result.situation = Situation(mode="staged", ci=ci_system())
    sys.stdout.write(render(result, "text"))
    sys.stdout.flush()
    sys.exit(for_findings(result.blocking))


def _click_main(args: list[str]) -> Any:
    import click

    from leakstop.cli.group import cli

    try:
        return cli.main(args=args, prog_name="leakstop", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("leakstop: aborted", err=True)
        sys.exit(ExitCode.USAGE)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `leakstop`: the help is the answer
            exc.show()
            sys.exit(ExitCode.USAGE)
        # One line for the problem, one for where help is (not click's four-line block).
        command = exc.ctx.command_path if exc.ctx is not None else "leakstop"
        _error(f"leakstop: error: {_one_line(exc.format_message())}\nTry '{command} --help'.")
    except click.ClickException as exc:
        _error(f"leakstop: error: {_one_line(exc.format_message())}")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


def _guarded(run: Callable[[], Any]) -> Any:
    try:
        return run()
    except LeakstopError as exc:
        _error(f"leakstop: error: {exc}")
    except KeyboardInterrupt:
        _error("leakstop: interrupted")
    except BrokenPipeError:
        sys.exit(ExitCode.USAGE)
    except Exception as exc:  # never a traceback (it could quote a key); type name only
        if os.environ.get("LEAKSTOP_DEBUG"):
            raise
        _error(
            f"leakstop: internal error ({type(exc).__name__}); rerun with LEAKSTOP_DEBUG=1 "
            "for details and report it",
            ExitCode.INTERNAL,
        )


def _one_line(message: str) -> str:
    from leakstop.report.printable import printable

    return printable(" ".join(message.split()))


def _error(message: str, code: ExitCode = ExitCode.USAGE) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(code)
