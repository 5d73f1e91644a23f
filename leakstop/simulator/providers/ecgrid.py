"""ECGrid: GUID keys in `X-API-Key`. `GET /v2/users/me` tells the key's user id, and
`POST /v2/users/key-generate/{id}` gives that user a new key; any other id is `AccessDenied`
(the simulator has no network administrators who may act for others). Answers use the
`{"success", "errorCode", "message", "data"}` envelope."""

from __future__ import annotations

from collections.abc import Mapping

from leakstop.simulator.accounts import AuthFailure, RateLimited
from leakstop.simulator.keys import guid
from leakstop.simulator.messages import Reply, Request, api_key_header, json_reply
from leakstop.simulator.providers.base import Call, KeyKind, ProviderSim, Route, profile

_CODES = {
    403: "AccessDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    429: "RateLimitExceeded",
    500: "InternalError",
}


class ECGrid(ProviderSim):
    name = "ecgrid"
    kinds = (KeyKind("api", "", guid),)

    def __init__(self) -> None:
        self.routes = (
            Route("GET", "/v2/users/me", "me", self.me, aliases=("check",)),
            Route("POST", "/v2/users/key-generate/{id}", "rotate", self.key_generate),
        )

    def credential(self, request: Request) -> str | None:
        return api_key_header(request)

    def error(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> Reply:
        body = {
            "success": False,
            "errorCode": _CODES.get(status, code),
            "message": message,
            "data": None,
        }
        return json_reply(status, body, headers)

    def auth_error(self, failure: AuthFailure) -> Reply:
        return self.error(401, "InvalidAPIKey", "The API key is invalid or missing.")

    def rate_limited(self, limit: RateLimited) -> Reply:
        return self.error(
            429,
            "RateLimitExceeded",
            "Rate limit exceeded. Try again later.",
            {"Retry-After": str(limit.retry_after)},
        )

    def me(self, call: Call) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        data = {
            "userId": account.user_id,
            "loginName": f"user{account.user_id}",
            **profile(account),
            "networkId": 100,
            "mailboxId": 200 + account.user_id,
            "authLevel": "MailboxUser",
            "status": "Active",
        }
        return json_reply(200, {"success": True, "data": data})

    def key_generate(self, call: Call) -> Reply:
        account = self.authenticate(call)
        if isinstance(account, Reply):
            return account
        if not call.params["id"].isdigit():
            return self.error(404, "NotFound", "The user id must be an integer.")
        if int(call.params["id"]) != account.user_id:
            return self.error(
                403, "AccessDenied", "You do not have permission to generate a key for this user."
            )
        new_key = self.regenerate(call, account)
        if isinstance(new_key, Reply):
            return new_key
        return json_reply(200, {"success": True, "data": new_key})
