"""The click command group; subcommands are imported only when used."""

from __future__ import annotations

import importlib

import click

from leakstop import __version__

_COMMANDS = {
    "scan": ("leakstop.cli.scan", "scan_command"),
    "init": ("leakstop.cli.init", "init_command"),
    "providers": ("leakstop.cli.providers", "providers_command"),
    "demo": ("leakstop.cli.demo", "demo_command"),
    "simulate": ("leakstop.cli.simulate", "simulate_command"),
    "rotate": ("leakstop.cli.rotate", "rotate_command"),
    "audit": ("leakstop.cli.audit", "audit_command"),
    "allow": ("leakstop.cli.allow", "allow_command"),
    "sweep": ("leakstop.cli.sweep", "sweep_command"),
    "merge": ("leakstop.cli.merge", "merge_command"),
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
    escaped.

    \b
    Exit codes: 0 clean; 1 keys found; 2 usage, configuration or git error;
    3 internal error; 4 --rotate: every key found is dead now; 5 --rotate: a rotation failed."""
