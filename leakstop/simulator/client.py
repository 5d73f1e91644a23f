"""A small client for the control API (stdlib urllib, no proxies from the environment)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, NamedTuple


class SimulatorError(Exception):
    """The control API refused a request; `status` and `payload` say why."""

    def __init__(self, status: int, payload: Any) -> None:
        message = payload.get("message") if isinstance(payload, dict) else None
        super().__init__(f"simulator answered {status}: {message or payload}")
        self.status = status
        self.payload = payload


class NewAccount(NamedTuple):
    key: str
    user_id: int


class SimulatorControl:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = timeout
        # Loopback only: an http_proxy in the environment must not see these calls.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            f"{self.url}/_simulator{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as answer:
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as exc:
            body = exc.read()
            exc.close()
            try:
                detail = json.loads(body)
            except ValueError:
                detail = body.decode("utf-8", "replace")
            raise SimulatorError(exc.code, detail) from None

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/health")
        return result

    def create_account(
        self,
        provider: str,
        kind: str | None = None,
        *,
        key: str | None = None,
        user_id: int | None = None,
    ) -> NewAccount:
        """Open an account; returns its live key and user id (ECGrid's `userId`)."""
        payload: dict[str, Any] = {"provider": provider}
        for name, value in (("kind", kind), ("key", key), ("user_id", user_id)):
            if value is not None:
                payload[name] = value
        answer = self._call("POST", "/accounts", payload)
        return NewAccount(answer["key"], answer["user_id"])

    def accounts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/accounts")["accounts"]
        return result

    def revoke(self, key: str | None = None, *, key_sha1: str | None = None) -> dict[str, Any]:
        payload = {"key": key} if key is not None else {"key_sha1": key_sha1}
        result: dict[str, Any] = self._call("POST", "/revoke", payload)["revoked"]
        return result

    def calls(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/calls")["calls"]
        return result

    def clear_calls(self) -> None:
        self._call("DELETE", "/calls")

    def add_fault(
        self,
        fault: str,
        *,
        key: str | None = None,
        key_sha1: str | None = None,
        provider: str | None = None,
        call: str | None = None,
        times: int | None = 1,
        seconds: float | None = None,
        location: str | None = None,
        status: int | None = None,
    ) -> int:
        """Inject a fault; `times=None` means always. Returns the fault id."""
        payload: dict[str, Any] = {"fault": fault, "times": "always" if times is None else times}
        options = {
            "key": key,
            "key_sha1": key_sha1,
            "provider": provider,
            "call": call,
            "seconds": seconds,
            "location": location,
            "status": status,
        }
        payload.update({name: value for name, value in options.items() if value is not None})
        fault_id: int = self._call("POST", "/faults", payload)["fault"]["fault_id"]
        return fault_id

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/faults")["faults"]
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def clock(self) -> dict[str, float]:
        result: dict[str, float] = self._call("GET", "/clock")
        return result

    def advance(self, seconds: float) -> float:
        """Move the simulated clock forward; returns the new simulated time."""
        now: float = self._call("POST", "/clock", {"advance": seconds})["now"]
        return now

    def set_offset(self, seconds: float) -> float:
        now: float = self._call("POST", "/clock", {"offset": seconds})["now"]
        return now

    def reset(self) -> None:
        self._call("POST", "/reset")
