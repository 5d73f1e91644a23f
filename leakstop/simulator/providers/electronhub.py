"""ElectronHub: Bearer auth; `GET /v1/auth/key/regen` rotates master keys (`ek-` + 32).

The error body is not documented; the simulator uses the OpenAI-style
`{"error": {"message", "type", "code"}}` its OpenAI-compatible API is likely to send."""

from __future__ import annotations

from collections.abc import Mapping

from leakstop.simulator.accounts import AuthFailure, RateLimited
from leakstop.simulator.keys import lower_hex
from leakstop.simulator.messages import Reply, Request, bearer_token, json_reply
from leakstop.simulator.providers.base import Call, KeyKind, ProviderSim, Route, profile

_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "server_error",
}

_MODELS = ("gpt-4o-mini", "claude-3-5-haiku", "gemini-2.0-flash")


class ElectronHub(ProviderSim):
    name = "electronhub"
    kinds = (
        KeyKind("master", "ek-", lambda: lower_hex(32)),
        KeyKind("proxy", "ek-proxy-", lambda: lower_hex(32)),
        KeyKind("dev", "ek-dev-", lambda: lower_hex(32)),
    )

    def __init__(self) -> None:
        self.routes = (
            Route("GET", "/v1/auth/key/regen", "rotate", self.regen),
            Route("GET", "/v1/user/me", "check", self.me),
            Route("GET", "/v1/models", "models", self.models),
        )

    def credential(self, request: Request) -> str | None:
        return bearer_token(request)

    def error(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> Reply:
        kind = _TYPES.get(status, "invalid_request_error")
        return json_reply(
            status, {"error": {"message": message, "type": kind, "code": code}}, headers
        )

    def auth_error(self, failure: AuthFailure) -> Reply:
        return self.error(401, "invalid_api_key", "Unauthorized - Invalid or missing API key")

    def rate_limited(self, limit: RateLimited) -> Reply:
        return self.error(
            429,
            "rate_limited",
            "Rate Limited - Too many regeneration requests (limit: 1 per hour)",
            {"Retry-After": str(limit.retry_after)},
        )

    def regen(self, call: Call) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        if account.kind != "master":
            # Proxy and DevPass keys authenticate but cannot regenerate the master key.
            return self.error(
                403, "master_key_required", "Only the master API key can be regenerated"
            )
        new_key = self.regenerate(call, account)
        return new_key if isinstance(new_key, Reply) else json_reply(200, {"key": new_key})

    def me(self, call: Call) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        return json_reply(
            200, {"id": account.user_id, **profile(account), "key_type": account.kind}
        )

    def models(self, call: Call) -> Reply:
        # Documented quirk: the model list answers even with an invalid key.
        data = [{"id": model, "object": "model", "owned_by": "electronhub"} for model in _MODELS]
        return json_reply(200, {"object": "list", "data": data})
