"""`leakstop simulate`: parse options, run the simulator in the foreground or talk to a
running one (leakstop/simulator/foreground.py; docs/simulator.md)."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import click

from leakstop.cli.options import bundle
from leakstop.simulator.playground import DEFAULT_PORT, DEFAULT_URL, URL_VARIABLE
from leakstop.simulator.providers import PROVIDER_NAMES

simulate_options = bundle(
    click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=DEFAULT_PORT,
        show_default=True,
        help="Port on 127.0.0.1 (0: any free port).",
    ),
    click.option("--quiet", "-q", is_flag=True, help="Do not print one line per provider call."),
    click.option(
        "--account",
        type=click.Choice(PROVIDER_NAMES),
        help="Open an account at the running simulator; print its live key (and nothing else).",
    ),
    click.option("--kind", help="With --account: the key kind (master, proxy, dev, user, ...)."),
    click.option(
        "--accounts-from",
        metavar="PATH",
        help="Make every key found in the files under PATH live at the running simulator.",
    ),
    click.option(
        "--url",
        envvar=URL_VARIABLE,
        default=DEFAULT_URL,
        show_default=True,
        help=f"The running simulator, for --account and --accounts-from [env {URL_VARIABLE}].",
    ),
)


@click.command("simulate")
@simulate_options
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
    from leakstop.simulator.foreground import simulate

    if account is not None and accounts_from is not None:
        raise click.UsageError("--account and --accounts-from exclude each other")
    if kind is not None and account is None:
        raise click.UsageError("--kind goes with --account")
    code = simulate(
        port=port,
        quiet=quiet,
        account=account,
        kind=kind,
        accounts_from=accounts_from,
        url=url,
        cwd=Path.cwd(),
        say=click.echo,
        note=partial(click.echo, err=True),
    )
    if code:  # returning normally on success: an in-process caller keeps running
        sys.exit(code)
