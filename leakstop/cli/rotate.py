"""`leakstop rotate --provider NAME`: rotate one key read from stdin (never from argv)."""

from __future__ import annotations

import sys

import click

from leakstop.cli.options import call_options


@click.command("rotate")
@click.option(
    "--provider", "provider_name", required=True, help="electronhub, syncline, scrapebit or ecgrid."
)
@click.option(
    "--deliver", "deliver_spec", metavar="SPEC", help="file:DIR, dotenv:PATH:VAR or exec:CMD."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (CI).")
@click.option("--dry-run", is_flag=True, help="Show the calls (keys redacted), change nothing.")
@call_options
def rotate_command(provider_name: str, deliver_spec: str | None, yes: bool, dry_run: bool) -> None:
    """Regenerate the key given on stdin so the leaked one stops working."""
    from leakstop.cli.confirm import read_key, terminal_confirm
    from leakstop.rotation.single import rotate_one

    confirm = terminal_confirm(yes)
    sys.exit(
        rotate_one(
            provider_name,
            read_key(),
            deliver_spec,
            confirm=confirm,
            dry_run=dry_run,
            say=click.echo,
        )
    )
