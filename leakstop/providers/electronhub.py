"""ElectronHub: `ek-` master keys (rotatable) and proxy / DevPass sub-keys (report only)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from leakstop.providers.base import Provider, Rule

if TYPE_CHECKING:
    from leakstop.providers.api import KeyApi

_DASHBOARD = "rotate it in the ElectronHub dashboard (or delete it with the master key)"


@cache
def key_apis() -> dict[str, KeyApi]:
    """The API side, built when rotation or --verify first asks (detection never does)."""
    from leakstop.providers.api import Call, KeyApi

    return {
        "electronhub-api-key": KeyApi(
            auth_header="Authorization",
            auth_prefix="Bearer ",
            # /v1/models accepts invalid keys, so it proves nothing; /v1/user/me does.
            check=Call("GET", "/v1/user/me"),
            # A GET with a side effect: sent once, never retried.
            rotate=Call("GET", "/v1/auth/key/regen"),
            new_key_at=("key",),
            # 402 (no credit) and 429 (throttled) still mean the key authenticated.
            live_statuses=frozenset({200, 402, 429}),
            invalid_statuses=frozenset({401, 403}),
            dashboard="the ElectronHub dashboard (API keys)",
        ),
    }


PROVIDER = Provider(
    name="electronhub",
    title="ElectronHub",
    default_base_url="https://api.electronhub.ai",
    rules=(
        Rule(
            id="electronhub-api-key",
            provider="electronhub",
            title="ElectronHub API Key",
            prefix="ek-",
            body=r"[A-Za-z0-9]{32}",
            rotatable=True,
            guidance="master key: `leakstop rotate --provider electronhub` regenerates it",
        ),
        Rule(
            id="electronhub-proxy-key",
            provider="electronhub",
            title="ElectronHub Proxy Key",
            prefix="ek-proxy-",
            body=r"[A-Za-z0-9]{16,64}",
            rotatable=False,
            guidance=f"proxy sub-key: {_DASHBOARD}",
        ),
        Rule(
            id="electronhub-dev-key",
            provider="electronhub",
            title="ElectronHub DevPass Key",
            prefix="ek-dev-",
            body=r"[A-Za-z0-9]{16,64}",
            rotatable=False,
            guidance=f"DevPass key: {_DASHBOARD}",
        ),
    ),
    key_apis=key_apis,
)
