"""Syncline: user keys (`sk_user_`) and platform keys (`sk_live_`), each with its own
regenerate and check call. `X-API-Key` is documented on the reference pages and
`Authorization: Bearer` on the authentication page: both are accepted.

Errors come in the two documented shapes: the flat `{"error": "Unauthorized", "message"}`
for 401 and 429, the nested `{"error": {"code", "message"}}` for everything else (403 for a
key of the wrong family, 404, 405, 500). The throttle window is not documented: one
regeneration per hour per account here, announced by `X-RateLimit-Reset` (unix seconds)
only, as documented; there is no `Retry-After`."""

from __future__ import annotations

from collections.abc import Mapping

from leakstop.simulator.accounts import AuthFailure, RateLimited
from leakstop.simulator.keys import alnum
from leakstop.simulator.messages import Reply, Request, api_key_header, bearer_token, json_reply
from leakstop.simulator.providers.base import Call, KeyKind, ProviderSim, Route, iso, profile

_WRONG_FAMILY = {
    "user": "This endpoint requires a user API key (sk_user_)",
    "platform": "This endpoint requires a platform API key (sk_live_)",
}


class Syncline(ProviderSim):
    name = "syncline"
    kinds = (
        KeyKind("user", "sk_user_", lambda: alnum(32)),
        KeyKind("platform", "sk_live_", lambda: alnum(32)),
    )

    def __init__(self) -> None:
        self.routes = (
            Route("POST", "/v1/user/api-key/regenerate", "rotate", self.rotate_user),
            Route("POST", "/v1/platform/regenerate-key", "rotate", self.rotate_platform),
            Route("GET", "/v1/user/info", "check", self.user_info),
            Route("GET", "/v1/platform/dashboard", "check", self.dashboard),
        )

    def credential(self, request: Request) -> str | None:
        return api_key_header(request) or bearer_token(request)

    def error(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> Reply:
        return json_reply(status, {"error": {"code": code, "message": message}}, headers)

    def auth_error(self, failure: AuthFailure) -> Reply:
        return json_reply(401, {"error": "Unauthorized", "message": "Invalid or missing API key"})

    def rate_limited(self, limit: RateLimited) -> Reply:
        headers = {
            "X-RateLimit-Limit": "1",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(limit.reset_at),
        }
        body = {
            "error": "Too many regeneration attempts",
            "message": "Please wait before regenerating again",
        }
        return json_reply(429, body, headers)

    def _rotate(self, call: Call, family: str) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        if account.kind != family:
            return self.error(403, "forbidden", _WRONG_FAMILY[family])
        new_key = self.regenerate(call, account)
        if isinstance(new_key, Reply):
            return new_key
        if family == "user":
            body = {
                "success": True,
                "api_key": new_key,
                "message": "API key regenerated successfully",
            }
        else:
            body = {"success": True, "api_key": new_key}
        return json_reply(200, body)

    def rotate_user(self, call: Call) -> Reply:
        return self._rotate(call, "user")

    def rotate_platform(self, call: Call) -> Reply:
        return self._rotate(call, "platform")

    def _check(self, call: Call, family: str, section: str) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        if account.kind != family:
            return self.error(403, "forbidden", _WRONG_FAMILY[family])
        details = {"id": f"usr_{account.user_id}", **profile(account)}
        details["created_at"] = iso(account.created_at)
        return json_reply(200, {"success": True, section: details})

    def user_info(self, call: Call) -> Reply:
        return self._check(call, "user", "user")

    def dashboard(self, call: Call) -> Reply:
        return self._check(call, "platform", "platform")
