"""What the cores of several commands share, click-free: the rule that ties the rotation
options together, and where a rendered report goes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leakstop.errors import LeakstopError


def check_triage(rotate: bool, yes: bool, dry_run: bool, deliver_spec: str | None) -> None:
    if (yes or dry_run or deliver_spec) and not rotate:
        raise LeakstopError("--yes, --dry-run and --deliver go with --rotate")


def write_report(rendered: str, output: str | None, show: Callable[[str], None]) -> None:
    """The report to the file `output`, or through `show` (standard output)."""
    if output:
        try:
            Path(output).write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise LeakstopError(f"cannot write report to {output}: {exc.strerror}") from None
    else:
        show(rendered)
