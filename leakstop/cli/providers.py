"""`leakstop providers`: the providers, their key families, their API calls and where those
calls would go with the current environment and user config (leakstop/rotation/catalog.py)."""

from __future__ import annotations

import click


@click.command("providers")
def providers_command() -> None:
    """List providers, key patterns, check/rotate calls and configured endpoints."""
    from leakstop.rotation.catalog import list_providers

    list_providers(click.echo)
