"""Routes a received request to the control API, a provider, or the decoy listener."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from leakstop.simulator.calls import CallRecord
from leakstop.simulator.control import PREFIX, control_call
from leakstop.simulator.dispatch import Outcome, decoy_call, provider_call
from leakstop.simulator.messages import Request, json_reply
from leakstop.simulator.providers import build_registry
from leakstop.simulator.state import State

OnCall = Callable[[CallRecord], None]


class Application:
    def __init__(self, on_call: OnCall | None = None) -> None:
        self.state = State()
        self.sims = build_registry()
        self._on_call = on_call

    def handle(
        self,
        listener: str,
        method: str,
        path: str,
        query_names: Iterable[str],
        headers: Iterable[tuple[str, str]],
        body: bytes,
    ) -> Outcome:
        """Answer one request. `path` is the request path without its query string."""
        pairs = list(headers)
        values: dict[str, str] = {}
        for name, value in pairs:
            lower = name.lower()
            values[lower] = f"{values[lower]}, {value}" if lower in values else value

        def request(sub_path: str) -> Request:
            return Request(
                method, sub_path, values, tuple(n for n, _ in pairs), tuple(query_names), body
            )

        if listener == "redirect":
            return self._logged(decoy_call(self.state, request(path), path))
        first, _, rest = path.lstrip("/").partition("/")
        if "/" + first == PREFIX:
            return Outcome(control_call(self.state, self.sims, request("/" + rest)))
        sim = self.sims.get(first)
        if sim is None:
            names = ", ".join(f"/{name}" for name in self.sims)
            message = f"unknown provider prefix; use one of {names} or {PREFIX}/"
            return Outcome(json_reply(404, {"error": "not_found", "message": message}))
        return self._logged(provider_call(self.state, sim, request("/" + rest), path))

    def _logged(self, outcome: Outcome) -> Outcome:
        if self._on_call is not None and outcome.record is not None:
            self._on_call(outcome.record)
        return outcome
