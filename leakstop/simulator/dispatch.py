"""One provider call from routing to answer: match the route, apply an injected fault if one
is due, run the handler, and log the call (by key hash, never the key)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from leakstop.simulator.accounts import AuthFailure, RateLimited
from leakstop.simulator.calls import CallRecord, scrub
from leakstop.simulator.faults import ACTING_KINDS, Fault
from leakstop.simulator.keys import hashed_secret
from leakstop.simulator.messages import Reply, Request, json_reply, presented_key
from leakstop.simulator.pages import block_page, redirect
from leakstop.simulator.providers.base import Call, ProviderSim
from leakstop.simulator.state import State

_Act = Callable[[], Reply]


@dataclass(frozen=True)
class Outcome:
    reply: Reply | None
    """None: close the connection without sending anything."""
    delay: float = 0.0
    """Seconds to wait before sending (after the call took effect)."""
    trickle: float = 0.0
    """Seconds between two bytes of the answer (0: all at once)."""
    record: CallRecord | None = None
    """The call log entry, for provider and decoy calls."""


def provider_call(state: State, sim: ProviderSim, request: Request, full_path: str) -> Outcome:
    key = sim.credential(request)
    record = _record(state, "main", request, full_path, key)
    record.provider = sim.name
    matched = sim.match(request)
    if isinstance(matched, Reply):
        outcome = Outcome(matched)
    else:
        route, params = matched
        record.call, record.route = route.call, route.template
        fault = state.faults.take(sim.name, route.names, record.key_sha1)
        record.fault = fault.kind if fault else None

        def act() -> Reply:
            return route.handler(Call(sim, request, params, state, record.time))

        outcome = _with_fault(state, sim, fault, act, full_path)
    record.status = outcome.reply.status if outcome.reply else None
    state.calls.add(record)
    return replace(outcome, record=record)


def _with_fault(
    state: State, sim: ProviderSim, fault: Fault | None, act: _Act, full_path: str
) -> Outcome:
    if fault is None:
        return Outcome(act())
    if fault.kind in ACTING_KINDS:
        reply = act()
        if fault.kind == "trickle":
            return Outcome(reply, trickle=fault.seconds)
        return Outcome(reply, fault.seconds) if fault.kind == "slow" else Outcome(None)
    if fault.kind == "500":
        return Outcome(sim.server_error())
    if fault.kind == "status":
        return Outcome(_status_reply(sim, fault.status or 500, fault.seconds, state.clock.now()))
    if fault.kind == "html":
        return Outcome(block_page(fault.status or 403))
    if fault.kind == "redirect":
        location = fault.location or state.decoy_url + full_path
        return Outcome(redirect(location, fault.status or 302))
    return Outcome(None)  # drop_before


def _status_reply(sim: ProviderSim, status: int, seconds: float, now: float) -> Reply:
    """An error the provider could send, in its own shape (429 with its retry headers)."""
    if status == 401:
        return sim.auth_error(AuthFailure.UNKNOWN)
    if status == 429:
        wait = max(1, math.ceil(seconds or 60))
        return sim.rate_limited(RateLimited(wait, math.ceil(now + wait)))
    if status == 500:
        return sim.server_error()
    return sim.error(status, "simulated_error", f"Simulated error {status}")


def decoy_call(state: State, request: Request, full_path: str) -> Outcome:
    """The decoy host a redirect fault points at: it logs what arrives, keys by hash, so a
    test can prove that no client followed a redirect with a key attached."""
    record = _record(state, "redirect", request, full_path, presented_key(request))
    record.status = 200
    state.calls.add(record)
    reply = json_reply(200, {"decoy": True, "message": "this host is not the provider"})
    return Outcome(reply, record=record)


def _record(
    state: State, listener: str, request: Request, full_path: str, key: str | None
) -> CallRecord:
    return CallRecord(
        seq=0,
        time=state.clock.now(),
        listener=listener,
        method=request.method,
        path=scrub(full_path, key),
        provider=None,
        call=None,
        route=None,
        header_names=list(request.header_names),
        query_names=[scrub(name, key) for name in request.query_names],
        key_sha1=hashed_secret(key) if key else None,
    )
