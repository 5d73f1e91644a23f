"""The interactive steps of rotation, kept in the CLI so the rotation engine itself imports
no UI library: reading the key to rotate, and asking before keys are changed."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from leakstop.errors import LeakstopError

if TYPE_CHECKING:  # `scan` imports this module for every run: no rotation code until asked
    from leakstop.rotation.apply import Confirm
    from leakstop.rotation.engine import Target


def terminal_confirm(yes: bool) -> Confirm:
    """--yes confirms; otherwise ask on a terminal, and refuse without one."""

    def confirm(found: Sequence[Target]) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise LeakstopError(
                "rotation changes keys at the provider: add --yes when not on a terminal"
            )
        rotatable = [t for t in found if t.rule.rotatable]
        click.echo(f"About to regenerate {len(rotatable)} key(s) at their providers:", err=True)
        for target in rotatable:
            click.echo(f"  {target.rule.title} {target.redacted} ({target.where})", err=True)
        return click.confirm(
            "The old keys stop working at once. Continue?", default=False, err=True
        )

    return confirm


def read_key() -> str:
    """The key for `leakstop rotate`: typed unseen on a terminal, else the first line of
    stdin (never argv, which other users can read)."""
    if sys.stdin.isatty():
        key = click.prompt("Key to rotate (input hidden)", hide_input=True, err=True)
    else:
        key = sys.stdin.readline()
    key = key.strip()
    if not key:
        raise LeakstopError(
            "no key on stdin: pipe it in, e.g. `pass show eh | leakstop rotate --provider NAME`"
        )
    return str(key)
