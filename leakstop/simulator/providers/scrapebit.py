"""Scrapebit: Bearer auth; `POST /v1/user/api-key/regenerate`, once per hour, answered with
the documented `{"success", "data": {"api_key", "created_at", "previous_key_invalidated"},
"message"}`. Errors are `{"success": false, "error": {"code", "message", "details"}}`, except
the documented 429 body, which carries `retry_after` instead of `details`.

A sandbox key (`sb_test_`) regenerates into a new sandbox key: undocumented, a choice."""

from __future__ import annotations

from collections.abc import Mapping

from leakstop.simulator.accounts import AuthFailure, RateLimited
from leakstop.simulator.keys import alnum
from leakstop.simulator.messages import Reply, Request, bearer_token, json_reply
from leakstop.simulator.providers.base import Call, KeyKind, ProviderSim, Route, iso, profile

_AUTH = {
    AuthFailure.MISSING: ("unauthorized", "Missing API key. Use Authorization: Bearer <key>."),
    AuthFailure.UNKNOWN: ("unauthorized", "Invalid API key."),
    AuthFailure.ROTATED: (
        "api_key_expired",
        "This API key has been regenerated. Use the new key from the regenerate response.",
    ),
    AuthFailure.REVOKED: ("api_key_revoked", "This API key has been revoked."),
}


class Scrapebit(ProviderSim):
    name = "scrapebit"
    kinds = (
        KeyKind("live", "sb_live_", lambda: alnum(32)),
        KeyKind("test", "sb_test_", lambda: alnum(32)),
    )

    def __init__(self) -> None:
        self.routes = (
            Route("POST", "/v1/user/api-key/regenerate", "rotate", self.regenerate_key),
            Route("GET", "/v1/user/profile", "check", self.user_profile),
        )

    def credential(self, request: Request) -> str | None:
        return bearer_token(request)

    def error(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> Reply:
        body = {"success": False, "error": {"code": code, "message": message, "details": None}}
        return json_reply(status, body, headers)

    def auth_error(self, failure: AuthFailure) -> Reply:
        code, message = _AUTH[failure]
        return self.error(401, code, message)

    def rate_limited(self, limit: RateLimited) -> Reply:
        error = {
            "code": "rate_limited",
            "message": "You can only regenerate your API key once per hour. "
            "Please try again later.",
            "retry_after": limit.retry_after,
        }
        return json_reply(
            429, {"success": False, "error": error}, {"Retry-After": str(limit.retry_after)}
        )

    def regenerate_key(self, call: Call) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        new_key = self.regenerate(call, account)
        if isinstance(new_key, Reply):
            return new_key
        data = {"api_key": new_key, "created_at": iso(call.now), "previous_key_invalidated": True}
        message = "API key regenerated successfully. Your old key is now invalid."
        return json_reply(200, {"success": True, "data": data, "message": message})

    def user_profile(self, call: Call) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        data = {"id": f"user_{account.user_id}", **profile(account), "credits": 1000}
        return json_reply(200, {"success": True, "data": data})
