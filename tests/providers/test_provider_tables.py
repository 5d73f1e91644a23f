"""The test tables keep up with the provider registry: every provider of leakstop.providers
has sample keys for each of its rules, a simulator counterpart that issues them, a rotation
sample and a documented flow per rotatable rule; a provider added without them fails here,
with a message naming what is missing."""

from __future__ import annotations

import dataclasses
import secrets

import pytest

from leakstop.providers import all_providers, get_provider
from leakstop.providers.api import Call, KeyApi
from leakstop.providers.base import Provider, Rule
from leakstop.simulator.providers import build_registry
from tests import testing
from tests.testing import RULE_IDS, new_key, provider_gaps


def _acme() -> Provider:
    """A provider the registry does not have: one rotatable rule, one report-only rule."""
    live = Rule(
        id="acme-api-key",
        provider="acme",
        title="Acme API Key",
        prefix="ac_live_",
        body=r"[A-Za-z0-9]{32}",
        rotatable=True,
        guidance="regenerate it",
    )
    test = dataclasses.replace(live, id="acme-test-key", prefix="ac_test_", rotatable=False)
    api = KeyApi("Authorization", "Bearer ", Call("GET", "/me"), Call("POST", "/regen"))
    return Provider(
        "acme", "Acme", "https://api.acme.invalid", (live, test), lambda: {live.id: api}
    )


def test_every_provider_has_samples_a_simulator_and_flows() -> None:
    assert provider_gaps(all_providers(), build_registry()) == []


def test_the_rule_tables_follow_the_registry() -> None:
    assert set(RULE_IDS) == {rule.id for p in all_providers() for rule in p.rules}
    assert set(build_registry()) == {p.name for p in all_providers()}


def test_a_provider_added_without_samples_is_named_with_what_it_lacks() -> None:
    gaps = provider_gaps((*all_providers(), _acme()), build_registry())
    assert sorted(gaps) == sorted(
        [
            "provider 'acme' has no simulator counterpart in leakstop/simulator/providers/"
            " (build_registry)",
            "provider 'acme' has no row in ROTATION_SAMPLES",
            "rule 'acme-api-key' has no sample key builder in KEY_FAMILIES",
            "rule 'acme-test-key' has no sample key builder in KEY_FAMILIES",
            "rotatable rule 'acme-api-key' has no row in FLOWS",
        ]
    )


def test_a_rule_added_to_a_known_provider_needs_a_sample_and_a_simulator_kind() -> None:
    scrapebit = get_provider("scrapebit")
    extra = dataclasses.replace(scrapebit.rules[0], id="scrapebit-team-key", prefix="sb_team_")
    grown = dataclasses.replace(scrapebit, rules=(*scrapebit.rules, extra))
    providers = [grown if p.name == "scrapebit" else p for p in all_providers()]
    assert sorted(provider_gaps(providers, build_registry())) == sorted(
        [
            "rule 'scrapebit-team-key' has no sample key builder in KEY_FAMILIES",
            "rule 'scrapebit-team-key' has no key kind with prefix 'sb_team_' in the scrapebit"
            " simulator",
            "rotatable rule 'scrapebit-team-key' has no row in FLOWS",
        ]
    )


def test_a_missing_simulator_and_stale_rows_are_named() -> None:
    sims = build_registry()
    del sims["syncline"]
    providers = [p for p in all_providers() if p.name != "ecgrid"]
    gaps = provider_gaps(providers, sims)
    assert sorted(gaps) == sorted(
        [
            "FLOWS row 'syncline-user' names no rule of leakstop.providers",
            "FLOWS row 'syncline-platform' names no rule of leakstop.providers",
            "FLOWS row 'ecgrid-default' names no rule of leakstop.providers",
            "provider 'syncline' has no simulator counterpart in leakstop/simulator/providers/"
            " (build_registry)",
            "rotatable rule 'syncline-user-key' has no row in FLOWS",
            "rotatable rule 'syncline-platform-key' has no row in FLOWS",
            "KEY_FAMILIES row 'ecgrid-api-key' names no rule",
            "ROTATION_SAMPLES row 'ecgrid' names no provider",
        ]
    )


def test_a_sample_builder_its_rule_does_not_match_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(
        testing.KEY_FAMILIES, "scrapebit-api-key", ("sb_live_", lambda: secrets.token_hex(4))
    )
    monkeypatch.setitem(testing.ROTATION_SAMPLES, "ecgrid", ("v3", "ECGRID_API_KEY"))
    assert sorted(provider_gaps(all_providers(), build_registry())) == [
        "KEY_FAMILIES['scrapebit-api-key'] builds keys its rule does not match",
        "ROTATION_SAMPLES['ecgrid'] names no key kind of its simulator",
    ]


def test_a_key_of_a_rule_without_a_sample_builder_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match=r"no sample key for rule 'acme-api-key'.*KEY_FAMILIES"):
        new_key("acme-api-key")
