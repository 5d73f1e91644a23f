"""The control API under `/_simulator/`: JSON in, JSON out, for tests and the demo.

It is the only place that hands out keys (a new account's key, once); listings show SHA-1
digests only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leakstop.simulator.faults import parse_fault
from leakstop.simulator.keys import hashed_secret
from leakstop.simulator.messages import Reply, Request, json_reply
from leakstop.simulator.providers.base import ProviderSim
from leakstop.simulator.state import State
from leakstop.wording import a

PREFIX = "/_simulator"

_Action = Callable[[State, Mapping[str, ProviderSim], Any], Reply]


def control_call(state: State, sims: Mapping[str, ProviderSim], request: Request) -> Reply:
    actions = {method: action for (path, method), action in _ROUTES.items() if path == request.path}
    if not actions:
        return _error(404, "not_found", f"no control endpoint {PREFIX}{request.path}")
    action = actions.get(request.method)
    if action is None:
        allowed = ", ".join(sorted(actions))
        return json_reply(
            405,
            {"error": "method_not_allowed", "message": f"use {allowed}"},
            {"Allow": allowed},
        )
    try:
        payload = request.json()
        return action(state, sims, payload)
    except ValueError as exc:  # also json.JSONDecodeError
        return _error(400, "bad_request", str(exc))


def _error(status: int, code: str, message: str) -> Reply:
    return json_reply(status, {"error": code, "message": message})


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object")
    return payload


def _health(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    bases = {name: f"{state.url}/{name}" for name in sims}
    return json_reply(
        200, {"ok": True, "url": state.url, "decoy_url": state.decoy_url, "providers": bases}
    )


def _create_account(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    body = _object(payload)
    sim = sims.get(str(body.get("provider")))
    if sim is None:
        raise ValueError(f"provider must be one of {', '.join(sims)}")
    kind = sim.kind(None if body.get("kind") is None else str(body["kind"]))
    key = body.get("key")
    if key is None:
        key = sim.new_key(kind.name)
    elif not isinstance(key, str) or not key.isascii() or not key.isprintable() or " " in key:
        raise ValueError("key must be a printable ASCII string without spaces")
    elif body.get("kind") is None:
        kind = sim.kind_of_key(key)
    elif not key.startswith(kind.prefix):
        raise ValueError(f"{a(kind.name)} key starts with {kind.prefix!r}")
    user_id = body.get("user_id")
    if user_id is not None and (isinstance(user_id, bool) or not isinstance(user_id, int)):
        raise ValueError("user_id must be an integer")
    account = state.accounts.add(sim.name, kind.name, key, state.clock.now(), user_id)
    answer = account.public()
    answer["key"] = account.key
    answer["base_url"] = f"{state.url}/{sim.name}"
    return json_reply(201, answer)


def _list_accounts(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    return json_reply(200, {"accounts": [a.public() for a in state.accounts.all()]})


def _revoke(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    body = _object(payload)
    if body.get("key") is not None:
        digest = hashed_secret(str(body["key"]))
    elif body.get("key_sha1") is not None:
        digest = str(body["key_sha1"]).lower()
    else:
        raise ValueError("give key or key_sha1")
    account = state.accounts.revoke(digest)
    if account is None:
        return _error(404, "not_found", "no account holds that key")
    return json_reply(200, {"revoked": account.public()})


def _list_calls(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    return json_reply(200, {"calls": [c.public() for c in state.calls.all()]})


def _clear_calls(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    state.calls.clear()
    return json_reply(200, {"cleared": "calls"})


def _add_fault(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    calls = {name: sim.call_names for name, sim in sims.items()}
    fault = state.faults.add(parse_fault(payload, calls))
    return json_reply(201, {"fault": fault.public()})


def _list_faults(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    return json_reply(200, {"faults": [f.public() for f in state.faults.all()]})


def _clear_faults(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    state.faults.clear()
    return json_reply(200, {"cleared": "faults"})


def _clock_reply(state: State) -> Reply:
    return json_reply(200, {"now": state.clock.now(), "offset": state.clock.offset})


def _get_clock(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    return _clock_reply(state)


def _set_clock(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    body = _object(payload)
    for name in ("advance", "offset"):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} must be a number of seconds")
        if name == "advance":
            state.clock.advance(float(value))
        else:
            state.clock.set_offset(float(value))
        return _clock_reply(state)
    raise ValueError("give advance (seconds to add) or offset (seconds from real time)")


def _reset(state: State, sims: Mapping[str, ProviderSim], payload: Any) -> Reply:
    state.reset()
    return json_reply(200, {"reset": True})


_ROUTES: dict[tuple[str, str], _Action] = {
    ("/health", "GET"): _health,
    ("/accounts", "GET"): _list_accounts,
    ("/accounts", "POST"): _create_account,
    ("/revoke", "POST"): _revoke,
    ("/calls", "GET"): _list_calls,
    ("/calls", "DELETE"): _clear_calls,
    ("/faults", "GET"): _list_faults,
    ("/faults", "POST"): _add_fault,
    ("/faults", "DELETE"): _clear_faults,
    ("/clock", "GET"): _get_clock,
    ("/clock", "POST"): _set_clock,
    ("/reset", "POST"): _reset,
}
