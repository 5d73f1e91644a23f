"""The `leakstop` command: a click group whose subcommands are imported only when used,
so `leakstop scan --staged` (the pre-commit hot path) loads nothing it does not need."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from leakstop import __version__
from leakstop.errors import LeakstopError

_COMMANDS = {
    "scan": ("leakstop.cli.scan", "scan_command"),
    "init": ("leakstop.cli.init", "init_command"),
    "providers": ("leakstop.cli.providers", "providers_command"),
    "demo": ("leakstop.cli.demo", "demo_command"),
    "simulate": ("leakstop.cli.simulate", "simulate_command"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        command: click.Command = getattr(importlib.import_module(target[0]), target[1])
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leakstop")
def cli() -> None:
    """Stop leaked API keys: block commits and pushes that carry them, rotate the ones that
    escaped. Exit codes: 0 clean, 1 keys found, 2 usage, configuration or git error."""


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="leakstop", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("leakstop: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except LeakstopError as exc:
        click.echo(f"leakstop: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("leakstop: interrupted", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(2)
    except Exception as exc:  # never a traceback (it could quote a key); type name only
        if os.environ.get("LEAKSTOP_DEBUG"):
            raise
        click.echo(
            f"leakstop: internal error ({type(exc).__name__}); rerun with LEAKSTOP_DEBUG=1 "
            "for details and report it",
            err=True,
        )
        sys.exit(2)
