"""The four simulated providers, by the name that is also their path prefix."""

from __future__ import annotations

from leakstop.simulator.providers.base import ProviderSim
from leakstop.simulator.providers.ecgrid import ECGrid
from leakstop.simulator.providers.electronhub import ElectronHub
from leakstop.simulator.providers.scrapebit import Scrapebit
from leakstop.simulator.providers.syncline import Syncline


def build_registry() -> dict[str, ProviderSim]:
    sims: list[ProviderSim] = [ElectronHub(), Syncline(), Scrapebit(), ECGrid()]
    return {sim.name: sim for sim in sims}


PROVIDER_NAMES = ("electronhub", "syncline", "scrapebit", "ecgrid")
