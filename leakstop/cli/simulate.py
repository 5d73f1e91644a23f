"""`leakstop simulate`: run the provider simulator in the foreground until Ctrl-C or SIGTERM;
with --account or --accounts-from, talk to a running one instead (docs/simulator.md)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from leakstop.errors import LeakstopError
from leakstop.simulator.playground import DEFAULT_PORT, DEFAULT_URL, URL_VARIABLE
from leakstop.simulator.providers import PROVIDER_NAMES


@click.command("simulate")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option("--quiet", "-q", is_flag=True, help="Do not print one line per provider call.")
@click.option(
    "--account",
    type=click.Choice(PROVIDER_NAMES),
    help="Open an account at the running simulator; print its live key (and nothing else).",
)
@click.option("--kind", help="With --account: the key kind (master, proxy, dev, user, ...).")
@click.option(
    "--accounts-from",
    metavar="PATH",
    help="Make every key found in the files under PATH live at the running simulator.",
)
@click.option(
    "--url",
    envvar=URL_VARIABLE,
    default=DEFAULT_URL,
    show_default=True,
    help=f"The running simulator, for --account and --accounts-from [env {URL_VARIABLE}].",
)
def simulate_command(
    port: int,
    quiet: bool,
    account: str | None,
    kind: str | None,
    accounts_from: str | None,
    url: str,
) -> None:
    """Serve the four provider APIs on 127.0.0.1, for tests, demos and trying rotation out;
    or, with --account / --accounts-from, give keys to a simulator already running."""
    if account is not None and accounts_from is not None:
        raise click.UsageError("--account and --accounts-from exclude each other")
    if kind is not None and account is None:
        raise click.UsageError("--kind goes with --account")
    if account is not None:
        from leakstop.simulator.playground import new_account

        # Asked for explicitly: the one place leakstop prints a key, alone on stdout.
        click.echo(new_account(url, account, kind))
        return
    if accounts_from is not None:
        _make_live(url, accounts_from)
        return
    _serve(port, quiet)


def _make_live(url: str, path: str) -> None:
    from pathlib import Path

    from leakstop.simulator.playground import make_live, summary

    registered = make_live(url, path, Path.cwd())
    for entry in registered:
        click.echo(entry.describe())
    click.echo(summary(registered, path, url))
    if any(entry.status.startswith("refused") for entry in registered):
        raise SystemExit(1)


def _serve(port: int, quiet: bool) -> None:
    from leakstop.simulator import Simulator
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
        hint = " (another simulator? --port 0 picks a free port)" if port else ""
        raise LeakstopError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}{hint}"
        ) from None

    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"leakstop simulator listening on {simulator.url}")
        for name in PROVIDER_NAMES:
            click.echo(f"export LEAKSTOP_{name.upper()}_URL={simulator.base_url(name)}")
        click.echo(f"export {URL_VARIABLE}={simulator.url}")
        click.echo(f"# control API: {simulator.url}/_simulator/health (see docs/simulator.md)")
        click.echo("# a live key: leakstop simulate --account PROVIDER")
        click.echo("# press Ctrl-C to stop")
        while not done.is_set():
            done.wait(0.5)  # with a timeout, so the signal handler gets to run
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        simulator.stop()
    click.echo("leakstop simulator stopped", err=True)
