"""The provider registry: every module in this package that defines ``PROVIDER``.

Discovery is by module, so adding a provider means adding one module here and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

from leakstop.providers.base import Provider, Rule

if TYPE_CHECKING:
    from leakstop.providers.api import KeyApi


_RECORD_MODULES = frozenset({"api", "base"})
"""This package's modules that define the records, not a provider (`api` is loaded only when
a key is checked or rotated)."""


@cache
def all_providers() -> tuple[Provider, ...]:
    found: list[Provider] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in _RECORD_MODULES:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        provider = getattr(module, "PROVIDER", None)
        if isinstance(provider, Provider):
            found.append(provider)
    return tuple(sorted(found, key=lambda p: p.name))


def all_rules() -> tuple[Rule, ...]:
    return tuple(rule for provider in all_providers() for rule in provider.rules)


def get_provider(name: str) -> Provider:
    for provider in all_providers():
        if provider.name == name:
            return provider
    known = ", ".join(p.name for p in all_providers())
    raise KeyError(f"unknown provider {name!r} (known: {known})")


def get_api(rule: Rule) -> KeyApi | None:
    """The API record that checks and rotates keys of `rule`, if the provider has one."""
    return get_provider(rule.provider).apis.get(rule.id)


def get_rule(rule_id: str) -> Rule:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    raise KeyError(f"unknown rule {rule_id!r}")
