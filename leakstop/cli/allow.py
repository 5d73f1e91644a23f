"""`leakstop allow`: parse options, accept / list / withdraw, print one line per entry."""

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
    from leakstop.suppress import allow

    if sum((place is not None, list_, remove is not None)) != 1:
        raise click.UsageError("give exactly one of FILE:LINE, --list or --remove")
    cwd = Path.cwd()
    if list_:
        entries = allow.listed(cwd, baseline)
        for entry in entries:
            click.echo(entry.describe())
        if not entries:
            click.echo("no accepted findings")
        return
    if remove is not None:
        for entry in allow.remove(cwd, remove, baseline):
            click.echo(f"removed    {entry.describe()}")
        return
    assert place is not None
    if not reason.strip():
        raise click.UsageError("--reason is required: say why this finding is accepted")
    done = allow.allow(cwd, place, reason, baseline)
    where = f"{done.finding.file}:{done.finding.line}"
    what = f"{done.finding.redacted} ({done.finding.rule.title}) at {where}"
    if not done.added:
        click.echo(f"unchanged  {what} is accepted already in {done.baseline}")
        return
    created = " (created)" if done.created else ""
    click.echo(f"accepted   {what}, hash {done.finding.hashed_secret}, in {done.baseline}{created}")
    others = [a.type for a in done.added if a.type != done.finding.rule.title]
    if others:
        click.echo(f"           also for detect-secrets' {', '.join(others)} (same key)")
    if not done.stock_checked:
        click.echo(
            "note       detect-secrets' own plugins could not be asked about this key: "
            "detect-secrets-hook may still report it under another type"
        )
    click.echo(f"next       commit {done.baseline}")
