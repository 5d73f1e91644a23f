"""`leakstop providers`: the providers, their key families, their API calls and where those
calls would go with the current environment and user config."""

from __future__ import annotations

import click

from leakstop.errors import LeakstopError


@click.command("providers")
def providers_command() -> None:
    """List providers, key patterns, check/rotate calls and configured endpoints."""
    from leakstop.providers import all_providers
    from leakstop.rotation import endpoints

    config = endpoints.user_config()
    for provider in all_providers():
        try:
            url, source = endpoints.resolve(provider, config)
            where = f"{url} ({source}; set {provider.env_url_var} to change)"
        except LeakstopError as exc:
            where = f"REFUSED: {exc}"
        click.echo(f"{provider.title} [{provider.name}]")
        click.echo(f"  endpoint: {where}")
        for rule in provider.rules:
            api = provider.apis.get(rule.id)
            rotation = "rotatable" if rule.rotatable and api and api.rotate else "report only"
            click.echo(f"  {rule.id}: {rule.prefix}{rule.body}  ({rotation})")
            if rule.context:
                how = "bound to a key name, in the scope of" if rule.structural else "only near"
                click.echo(f"      counted {how}: {' and '.join(rule.context)}")
            if api is not None:
                calls = f"check {api.check.method} {api.check.path}"
                if api.rotate is not None:
                    calls += f"; rotate {api.rotate.method} {api.rotate.path}"
                click.echo(f"      {calls} ({api.auth_header})")
