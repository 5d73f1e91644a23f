"""Everything one simulator instance remembers, in one place so `reset` is one call."""

from __future__ import annotations

from dataclasses import dataclass, field

from leakstop.simulator.accounts import AccountBook
from leakstop.simulator.calls import CallLog
from leakstop.simulator.clock import Clock
from leakstop.simulator.faults import FaultTable

DECOY_FALLBACK = "http://evil.invalid"
"""Where redirect faults point when no decoy listener could be bound (nothing answers)."""


@dataclass
class State:
    url: str = ""
    """The simulator's own base URL, set once the server is bound."""
    decoy_url: str = DECOY_FALLBACK
    """Base URL of the decoy listener that redirect faults send clients to."""
    clock: Clock = field(default_factory=Clock)
    accounts: AccountBook = field(default_factory=AccountBook)
    faults: FaultTable = field(default_factory=FaultTable)
    calls: CallLog = field(default_factory=CallLog)

    def reset(self) -> None:
        self.accounts.reset()
        self.faults.clear()
        self.calls.clear()
        self.clock.set_offset(0.0)
