"""Where provider calls go: the documented base, or an override from the environment or the
user's own config file. Never from the scanned repository's files, and plain http only to
loopback addresses, so neither a hostile repository nor a typo can send a key elsewhere."""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from leakstop.errors import LeakstopError
from leakstop.providers.base import Provider


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "leakstop" / "config.toml"


def user_config() -> dict[str, Any]:
    """The user's own config (`$XDG_CONFIG_HOME/leakstop/config.toml`), or {}."""
    path = config_path()
    if not path.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised only on Python 3.10
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            loaded: dict[str, Any] = tomllib.load(handle)
            return loaded
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LeakstopError(f"cannot read {path}: {exc}") from None


def base_url(provider: Provider, config: dict[str, Any] | None = None) -> str:
    """The checked base URL for `provider` (environment, then user config, then default)."""
    return resolve(provider, config)[0]


def resolve(provider: Provider, config: dict[str, Any] | None = None) -> tuple[str, str]:
    """(checked base URL, where it came from)."""
    config = user_config() if config is None else config
    endpoints = config.get("endpoints", {})
    source = provider.env_url_var
    url = os.environ.get(provider.env_url_var)
    if not url and isinstance(endpoints, dict) and endpoints.get(provider.name):
        url, source = str(endpoints[provider.name]), f"{config_path()} [endpoints]"
    if not url:
        url, source = provider.default_base_url, "default"
    check_url(url, source)
    return url.rstrip("/"), source


def check_url(url: str, source: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        # The value itself is not echoed: a mistyped URL may carry a password or a token.
        raise LeakstopError(f"{source}: the value is not an http(s) URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise LeakstopError(f"{source}: a base URL carries no credentials, query or fragment")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise LeakstopError(
            f"{source}: plain http is allowed for loopback addresses only, not {parts.hostname}"
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
