"""Stopping the simulator while it trickles an answer out byte by byte: the handler stops
at once (the client sees the connection end early) instead of holding the stop for the
whole answer."""

from __future__ import annotations

import threading
import time

import httpx

from leakstop.simulator import Simulator


def test_stop_cuts_a_trickling_answer_short() -> None:
    errors: list[BaseException] = []
    with Simulator() as sim:
        key = sim.control.create_account("syncline", "user").key
        sim.control.add_fault("trickle", key=key, call="check", seconds=0.5)

        def call() -> None:
            try:
                httpx.get(
                    sim.base_url("syncline") + "/v1/user/info",
                    headers={"X-API-Key": key},
                    timeout=30,
                )
            except httpx.HTTPError as exc:
                errors.append(exc)

        client = threading.Thread(target=call)
        client.start()
        while not sim.control.calls():  # the call has reached the handler
            time.sleep(0.02)
        started = time.monotonic()
    stopped = time.monotonic() - started  # the whole answer would take minutes at 0.5 s a byte
    client.join(timeout=10)
    assert not client.is_alive()
    assert stopped < 5
    assert len(errors) == 1  # the answer never completed
