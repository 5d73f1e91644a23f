"""Syncline: `sk_user_` user keys, and `sk_live_` platform keys (Stripe shares that prefix,
so those count only next to Syncline context)."""

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
        "syncline-user-key": KeyApi(
            auth_header="X-API-Key",  # what the regenerate page documents
            auth_prefix="",
            check=Call("GET", "/v1/user/info"),
            rotate=Call("POST", "/v1/user/api-key/regenerate"),
            new_key_at=("api_key",),
            reset_header="X-RateLimit-Reset",
            dashboard="Syncline settings (API key)",
        ),
        "syncline-platform-key": KeyApi(
            auth_header="X-API-Key",
            auth_prefix="",
            check=Call("GET", "/v1/platform/dashboard"),
            rotate=Call("POST", "/v1/platform/regenerate-key"),
            new_key_at=("api_key",),
            reset_header="X-RateLimit-Reset",
            dashboard="the Syncline developer dashboard",
        ),
    }


PROVIDER = Provider(
    name="syncline",
    title="Syncline",
    default_base_url="https://api.syncline.run",
    rules=(
        Rule(
            id="syncline-user-key",
            provider="syncline",
            title="Syncline User API Key",
            prefix="sk_user_",
            # Length and alphabet are not documented: bounded generously, underscores allowed.
            body=r"[A-Za-z0-9_]{16,128}",
            rotatable=True,
            guidance="user key: `leakstop rotate --provider syncline` regenerates it",
        ),
        Rule(
            id="syncline-platform-key",
            provider="syncline",
            title="Syncline Platform API Key",
            prefix="sk_live_",
            body=r"[A-Za-z0-9_]{16,128}",
            rotatable=True,
            guidance="platform key: `leakstop rotate --provider syncline` regenerates it",
            context=(r"syncline",),
            exclude_context=(r"stripe",),
        ),
    ),
    key_apis=key_apis,
)
