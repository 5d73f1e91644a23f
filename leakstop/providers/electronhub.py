"""ElectronHub: `ek-` master keys (rotatable) and proxy / DevPass sub-keys (report only)."""

from leakstop.providers.base import Provider, Rule

_DASHBOARD = "rotate it in the ElectronHub dashboard (or delete it with the master key)"

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
)
