"""leakstop: stop leaked API keys before they land, and kill the ones that escaped."""

__version__ = "0.1.0"
