"""`leakstop allow`: parse options, accept / list / withdraw (leakstop/allow.py)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("allow")
@click.argument("place", required=False, metavar="FILE:LINE[:COLUMN]")
@click.option("--reason", "-m", default="", help="Why the finding is accepted (required).")
@click.option("--list", "list_", is_flag=True, help="List the accepted findings.")
@click.option("--remove", metavar="HASH|FILE:LINE", help="Withdraw the acceptance of one key.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Baseline file [default: .secrets.baseline at the repository root].",
)
def allow_command(
    place: str | None, reason: str, list_: bool, remove: str | None, baseline: Path | None
) -> None:
    """Accept the finding at FILE:LINE on purpose, after judging it: a detect-secrets
    baseline entry for that key (by its hash, so moving the line changes nothing; any other
    key stays a finding), with who, why and when. The key is never shown."""
    from leakstop import allow

    if sum((place is not None, list_, remove is not None)) != 1:
        raise click.UsageError("give exactly one of FILE:LINE, --list or --remove")
    if place is not None and not reason.strip():
        raise click.UsageError("--reason is required: say why this finding is accepted")
    allow.run(
        Path.cwd(),
        place=place,
        reason=reason,
        list_all=list_,
        withdraw=remove,
        baseline=baseline,
        say=click.echo,
    )
