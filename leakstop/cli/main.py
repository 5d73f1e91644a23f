"""The `leakstop` entry point: one exit-code policy for every command, and a click-free fast
path for the exact call the pre-commit hook makes (`leakstop scan --staged`), where importing
click would cost more than the scan itself."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from leakstop.errors import LeakstopError

_HOOK_CALL = ["scan", "--staged"]


def main(argv: list[str] | None = None) -> Any:
    args = sys.argv[1:] if argv is None else argv
    if args == _HOOK_CALL:
        return _guarded(_scan_staged)
    return _guarded(lambda: _click_main(args))


def _scan_staged() -> None:
    from pathlib import Path

    from leakstop.report import render
    from leakstop.scan_request import ScanRequest, run

    result = run(ScanRequest(cwd=Path.cwd(), mode="staged", progress=True))
    sys.stdout.write(render(result, "text"))
    sys.stdout.flush()
    sys.exit(1 if result.blocking else 0)


def _click_main(args: list[str]) -> Any:
    import click

    from leakstop.cli.group import cli

    try:
        return cli.main(args=args, prog_name="leakstop", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("leakstop: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
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
        sys.exit(2)
    except Exception as exc:  # never a traceback (it could quote a key); type name only
        if os.environ.get("LEAKSTOP_DEBUG"):
            raise
        _error(
            f"leakstop: internal error ({type(exc).__name__}); rerun with LEAKSTOP_DEBUG=1 "
            "for details and report it"
        )


def _error(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(2)
