"""Scrapebit: `sb_live_` keys (rotatable) and `sb_test_` sandbox keys (report only)."""

from leakstop.providers.base import Provider, Rule

PROVIDER = Provider(
    name="scrapebit",
    title="Scrapebit",
    default_base_url="https://api.scrapebit.com",
    rules=(
        Rule(
            id="scrapebit-api-key",
            provider="scrapebit",
            title="Scrapebit API Key",
            prefix="sb_live_",
            body=r"[A-Za-z0-9]{32}",
            rotatable=True,
            guidance="live key: `leakstop rotate --provider scrapebit` regenerates it",
        ),
        Rule(
            id="scrapebit-test-key",
            provider="scrapebit",
            title="Scrapebit Test API Key",
            prefix="sb_test_",
            body=r"[A-Za-z0-9]{32}",
            rotatable=False,
            guidance="sandbox key: regenerate it in the Scrapebit dashboard (Settings → Profile)",
            severity="medium",
        ),
    ),
)
