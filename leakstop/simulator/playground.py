"""The simulator as a playground: talk to a running `leakstop simulate` through its control
API to open an account (a fresh live key) or to make the keys found under a path live, so the
whole rotation journey runs with leakstop commands alone (docs/simulator.md)."""

from __future__ import annotations

import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.simulator.client import SimulatorControl, SimulatorError

DEFAULT_PORT = 8790
"""`leakstop simulate` listens here unless told otherwise, so other commands find it."""
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
URL_VARIABLE = "LEAKSTOP_SIMULATOR_URL"


@dataclass(frozen=True)
class Registered:
    """One key found under the path, and what the simulator made of it."""

    provider: str
    redacted: str
    place: str
    status: str
    """`live` (a new account holds it), `known` (the simulator had it already: live, or
    rotated or revoked earlier) or `refused: <reason>`."""

    def describe(self) -> str:
        return f"{self.status:<10} {self.provider:<12} {self.redacted}  {self.place}"


def connect(url: str) -> SimulatorControl:
    """A client for the simulator at `url`, checked to answer; one-line error otherwise."""
    control = SimulatorControl(url, timeout=5)
    try:
        control.health()
    except (urllib.error.URLError, OSError, ValueError, SimulatorError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise LeakstopError(
            f"no leakstop simulator answers at {control.url} ({reason}); start one with "
            f"`leakstop simulate` (or give its address with --url or {URL_VARIABLE})"
        ) from None
    return control


def new_account(url: str, provider: str, kind: str | None = None) -> str:
    """Open an account at the running simulator; returns its live key."""
    control = connect(url)
    try:
        return control.create_account(provider, kind).key
    except SimulatorError as exc:
        raise LeakstopError(_reason(exc)) from None


def make_live(url: str, path: str, cwd: Path) -> list[Registered]:
    """Open an account holding each distinct key leakstop finds in the files under `path`."""
    from leakstop.scan import ScanRequest, run

    control = connect(url)
    # Every key there, the baseline notwithstanding: an accepted key can still be rotated.
    result = run(ScanRequest(cwd=cwd, paths=(path,), use_baseline=False))
    done: dict[tuple[str, str], Registered] = {}
    for finding in result.findings:
        if (finding.provider, finding.secret) in done:
            continue
        try:
            control.create_account(finding.provider, key=finding.secret)
            status = "live"
        except SimulatorError as exc:
            status = "known" if "already known" in _reason(exc) else f"refused: {_reason(exc)}"
        done[(finding.provider, finding.secret)] = Registered(
            finding.provider, finding.redacted, f"{finding.file}:{finding.line}", status
        )
    return list(done.values())


def make_live_listed(url: str, path: str, cwd: Path, say: Callable[[str], None]) -> int:
    """`make_live`, one line per key and a summary through `say`; 1 when the simulator
    refused a key, else 0."""
    registered = make_live(url, path, cwd)
    for entry in registered:
        say(entry.describe())
    say(summary(registered, path, url))
    return 1 if any(entry.status.startswith("refused") for entry in registered) else 0


def summary(registered: list[Registered], path: str, url: str) -> str:
    if not registered:
        return f"no keys found under {path}"
    counts = {
        status: sum(r.status.split(":")[0] == status for r in registered)
        for status in ("live", "known", "refused")
    }
    line = (
        f"{len(registered)} key(s) found under {path}: {counts['live']} made live, "
        f"{counts['known']} already known to the simulator at {url.rstrip('/')}"
    )
    return line + (f", {counts['refused']} refused" if counts["refused"] else "")


def _reason(exc: SimulatorError) -> str:
    """The control API's message: it names fields and kinds, never a key."""
    payload = exc.payload
    message = payload.get("message") if isinstance(payload, dict) else None
    return str(message or f"HTTP {exc.status}")
