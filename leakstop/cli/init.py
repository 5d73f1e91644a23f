"""`leakstop init`: parse options, wire the repository up, print what was done."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.option("--no-baseline", is_flag=True, help="Leave .secrets.baseline alone.")
@click.option("--no-pre-commit", is_flag=True, help="Leave .pre-commit-config.yaml alone.")
@click.option(
    "--local-hook",
    is_flag=True,
    help="Hook that runs the leakstop on PATH (`repo: local`) instead of the published one.",
)
def init_command(no_baseline: bool, no_pre_commit: bool, local_hook: bool) -> None:
    """Wire leakstop into the repository here: the detect-secrets plugin file, leakstop's
    plugins and filters in .secrets.baseline (no findings are added to it), and the pre-commit
    hook. Safe to rerun: files that are already right are left unchanged."""
    from leakstop.init_repo import InitOptions, init

    options = InitOptions(
        baseline=not no_baseline, pre_commit=not no_pre_commit, local_hook=local_hook
    )
    for line in init(Path.cwd(), options):
        click.echo(line)
