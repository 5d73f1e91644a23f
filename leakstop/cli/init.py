"""`leakstop init`: parse options, wire the repository up, print what was done."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.option("--no-baseline", is_flag=True, help="Leave .secrets.baseline alone.")
@click.option("--no-pre-commit", is_flag=True, help="Leave .pre-commit-config.yaml alone.")
@click.option(
    "--remote",
    is_flag=True,
    help="Hooks from the published repository, pinned (pre-commit installs leakstop itself; "
    "needs network) instead of local hooks that run the leakstop on PATH.",
)
@click.option("--local-hook", is_flag=True, hidden=True)  # the default now; kept for old scripts
def init_command(no_baseline: bool, no_pre_commit: bool, remote: bool, local_hook: bool) -> None:
    """Wire leakstop into the repository here: the detect-secrets plugin file, leakstop's
    plugins and filters in .secrets.baseline (no findings are added to it), and the
    `leakstop` (pre-commit) and `leakstop-push` (pre-push) hooks. Safe to rerun: files that
    are already right are left unchanged."""
    from leakstop.init_repo import InitOptions, init

    if remote and local_hook:
        raise click.UsageError("--remote and --local-hook exclude each other")
    options = InitOptions(baseline=not no_baseline, pre_commit=not no_pre_commit, remote=remote)
    click.echo("\n".join(init(Path.cwd(), options)))  # never empty: one line per file
