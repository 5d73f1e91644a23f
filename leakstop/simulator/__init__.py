"""A loopback HTTP server that behaves like the four providers' APIs (see docs/simulator.md).

with Simulator() as sim:
    key, user_id = sim.control.create_account("scrapebit")
    ...  # point LEAKSTOP_SCRAPEBIT_URL at sim.base_url("scrapebit")
"""

from leakstop.simulator.client import NewAccount, SimulatorControl, SimulatorError
from leakstop.simulator.faults import KINDS as FAULT_KINDS
from leakstop.simulator.providers import PROVIDER_NAMES
from leakstop.simulator.server import Simulator

__all__ = [
    "FAULT_KINDS",
    "PROVIDER_NAMES",
    "NewAccount",
    "Simulator",
    "SimulatorControl",
    "SimulatorError",
]
