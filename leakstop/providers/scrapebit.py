"""Scrapebit: `sb_live_` keys (rotatable) and `sb_test_` sandbox keys (report only)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from leakstop.providers.base import Provider, Rule

if TYPE_CHECKING:
    from leakstop.providers.api import KeyApi


@cache
def key_apis() -> dict[str, KeyApi]:
    """The API side, built when rotation or --verify first asks (detection never does)."""
    from leakstop.providers.api import Call, KeyApi

    return {
        "scrapebit-api-key": KeyApi(
            auth_header="Authorization",
            auth_prefix="Bearer ",
            check=Call("GET", "/v1/user/profile"),  # costs no credits
            rotate=Call("POST", "/v1/user/api-key/regenerate"),
            new_key_at=("data", "api_key"),
            invalid_codes=frozenset({"api_key_expired", "api_key_revoked"}),
            retry_after_at=("error", "retry_after"),
            dashboard="scrapebit.com: Settings → Profile → Regenerate API Key",
        ),
        # Sandbox keys: checkable; rotation through the API is not documented.
        "scrapebit-test-key": KeyApi(
            auth_header="Authorization",
            auth_prefix="Bearer ",
            check=Call("GET", "/v1/user/profile"),
            rotate=None,
            invalid_codes=frozenset({"api_key_expired", "api_key_revoked"}),
        ),
    }


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
    key_apis=key_apis,
)
