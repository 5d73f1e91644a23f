"""`leakstop audit [ARGS…]`: stock `detect-secrets audit` with leakstop's detectors
registered first (stock audit fails on custom plugins' entries: Yelp/detect-secrets#611)."""

from __future__ import annotations

import sys

import click


@click.command(
    "audit",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def audit_command(args: tuple[str, ...]) -> None:
    """Review .secrets.baseline entries (arguments as for `detect-secrets audit`)."""
    from leakstop.plugin.__main__ import main

    sys.exit(main(["audit", *(args or (".secrets.baseline",))]))
