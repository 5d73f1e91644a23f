"""`leakstop simulate`: run the provider simulator in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from leakstop.errors import LeakstopError


@click.command("simulate")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not print one line per provider call.")
def simulate_command(port: int, quiet: bool) -> None:
    """Serve the four provider APIs on 127.0.0.1, for tests and demos (docs/simulator.md)."""
    from leakstop.simulator import PROVIDER_NAMES, Simulator
    from leakstop.simulator.calls import CallRecord

    def show(record: CallRecord) -> None:
        # Route templates and names only, never a raw path or header value: no key can
        # reach the terminal.
        if record.listener == "redirect":
            carried = "WITH a key" if record.key_sha1 else "without a key"
            click.echo(f"decoy host: {record.method} request {carried}", err=True)
            return
        what = f"{record.provider} {record.call or '(no route)'}"
        route = f" {record.route}" if record.route else ""
        status = record.status if record.status is not None else "dropped"
        fault = f" [fault {record.fault}]" if record.fault else ""
        click.echo(f"{what}: {record.method}{route} -> {status}{fault}", err=True)

    simulator = Simulator(port, on_call=None if quiet else show)
    try:
        simulator.start()
    except OSError as exc:
        raise LeakstopError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None

    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"leakstop simulator listening on {simulator.url}")
        for name in PROVIDER_NAMES:
            click.echo(f"export LEAKSTOP_{name.upper()}_URL={simulator.base_url(name)}")
        click.echo(f"# control API: {simulator.url}/_simulator/health (see docs/simulator.md)")
        click.echo("# press Ctrl-C to stop")
        while not done.is_set():
            done.wait(0.5)  # with a timeout, so the signal handler gets to run
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        simulator.stop()
    click.echo("leakstop simulator stopped", err=True)
