"""`leakstop simulate` without the command line: serve the provider APIs in the foreground
until Ctrl-C or SIGTERM, or talk to a simulator already running (docs/simulator.md).

Output goes through callbacks the CLI passes in: `say` for stdout (the exports, a key that
was asked for), `note` for stderr (one line per provider call), so no UI library is needed
here."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from leakstop.errors import LeakstopError
from leakstop.simulator.calls import CallRecord
from leakstop.simulator.playground import (
    URL_VARIABLE,
    make_live_listed,
    new_account,
)
from leakstop.simulator.providers import PROVIDER_NAMES

Say = Callable[[str], None]


def simulate(
    *,
    port: int,
    quiet: bool,
    account: str | None,
    kind: str | None,
    accounts_from: str | None,
    url: str,
    cwd: Path,
    say: Say,
    note: Say,
) -> int:
    """Open an account (`account`), make the keys under a path live (`accounts_from`), or
    else serve on `port`; the exit code."""
    if account is not None:
        # Asked for explicitly: the one place leakstop prints a key, alone on stdout.
        say(new_account(url, account, kind))
        return 0
    if accounts_from is not None:
        return make_live_listed(url, accounts_from, cwd, say)
    serve(port, quiet=quiet, say=say, note=note)
    return 0


def serve(port: int, *, quiet: bool, say: Say, note: Say) -> None:
    """Run a simulator on 127.0.0.1:`port` until SIGINT or SIGTERM; unless `quiet`, `note`
    gets one line per provider call."""
    # Looked up when called, so a test can watch the simulator it starts.
    from leakstop.simulator import Simulator

    on_call = None if quiet else lambda record: note(call_line(record))
    simulator = Simulator(port, on_call=on_call)
    try:
        simulator.start()
    except OSError as exc:
        hint = " (another simulator? --port 0 picks a free port)" if port else ""
        raise LeakstopError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}{hint}"
        ) from None

    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        say(f"leakstop simulator listening on {simulator.url}")
        for name in PROVIDER_NAMES:
            say(f"export LEAKSTOP_{name.upper()}_URL={simulator.base_url(name)}")
        say(f"export {URL_VARIABLE}={simulator.url}")
        say(f"# control API: {simulator.url}/_simulator/health (see docs/simulator.md)")
        say("# a live key: leakstop simulate --account PROVIDER")
        say("# press Ctrl-C to stop")
        while not done.is_set():
            done.wait(0.5)  # with a timeout, so the signal handler gets to run
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        simulator.stop()
    note("leakstop simulator stopped")


def call_line(record: CallRecord) -> str:
    """One provider call, from route templates and names only, never a raw path or header
    value: no key can reach the terminal."""
    if record.listener == "redirect":
        carried = "WITH a key" if record.key_sha1 else "without a key"
        return f"decoy host: {record.method} request {carried}"
    what = f"{record.provider} {record.call or '(no route)'}"
    route = f" {record.route}" if record.route else ""
    status = record.status if record.status is not None else "dropped"
    fault = f" [fault {record.fault}]" if record.fault else ""
    return f"{what}: {record.method}{route} -> {status}{fault}"
