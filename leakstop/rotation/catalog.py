"""What `leakstop providers` shows: each provider, its key families, its API calls and where
those calls would go with the current environment and user config."""

from __future__ import annotations

from collections.abc import Callable

from leakstop.errors import LeakstopError
from leakstop.providers import all_providers
from leakstop.rotation import endpoints


def list_providers(say: Callable[[str], None]) -> None:
    """One block of lines per provider through `say`; an endpoint that would be refused is
    named as such (with the reason), not raised."""
    config = endpoints.user_config()
    for provider in all_providers():
        try:
            url, source = endpoints.resolve(provider, config)
            where = f"{url} ({source}; set {provider.env_url_var} to change)"
        except LeakstopError as exc:
            where = f"REFUSED: {exc}"
        say(f"{provider.title} [{provider.name}]")
        say(f"  endpoint: {where}")
        for rule in provider.rules:
            api = provider.apis.get(rule.id)
            rotation = "rotatable" if rule.rotatable and api and api.rotate else "report only"
            say(f"  {rule.id}: {rule.prefix}{rule.body}  ({rotation})")
            if rule.context:
                how = "bound to a key name, in the scope of" if rule.structural else "only near"
                say(f"      counted {how}: {' and '.join(rule.context)}")
            if api is not None:
                calls = f"check {api.check.method} {api.check.path}"
                if api.rotate is not None:
                    calls += f"; rotate {api.rotate.method} {api.rotate.path}"
                say(f"      {calls} ({api.auth_header})")
