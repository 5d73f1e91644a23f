"""`leakstop providers`: the providers, their key families and where calls would go."""

from __future__ import annotations

import os

import click


@click.command("providers")
def providers_command() -> None:
    """List providers, key patterns, rotatability and configured endpoints."""
    from leakstop.providers import all_providers

    for provider in all_providers():
        override = os.environ.get(provider.env_url_var)
        endpoint = (
            f"{override} (from {provider.env_url_var})"
            if override
            else (f"{provider.default_base_url} (default; set {provider.env_url_var} to change)")
        )
        click.echo(f"{provider.title} [{provider.name}]")
        click.echo(f"  endpoint: {endpoint}")
        for rule in provider.rules:
            rotation = "rotatable" if rule.rotatable else "report only"
            click.echo(f"  {rule.id}: {rule.prefix}{rule.body}  ({rotation})")
            if rule.context:
                click.echo(f"      counted only near: {' and '.join(rule.context)}")
