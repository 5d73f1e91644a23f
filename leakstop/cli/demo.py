"""`leakstop demo`: the offline end-to-end story on a throwaway repository."""

from __future__ import annotations

import sys

import click


@click.command("demo")
def demo_command() -> None:
    """Show leakstop blocking a commit that carries a key (offline, throwaway repo)."""
    from leakstop.demo import run_demo

    sys.exit(run_demo(click.echo))
