"""The exit codes of every leakstop command, in one table (docs/design.md, README.md).

| code | meaning |
|---|---|
| 0 | nothing to report: no findings (or all accepted by the baseline); a command succeeded |
| 1 | findings: the commit or push is blocked; a sweep that could not sweep a repository |
| 2 | usage, configuration or git error: a one-line reason on stderr |
| 3 | internal error (a bug): one line on stderr, never a traceback |
| 4 | --rotate: every finding's key is dead now (rotated, already invalid, rotated before) |
| 5 | --rotate: a key could not be rotated (failed, answer lost, rate limited) |

4 is not 0 on purpose: the old key is still in the code and whoever used it just lost access,
so a CI job must not pass silently; yet it differs from 1 and 5, so CI can tell "handled,
clean up" from "still leaked".
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol


class RotationOutcome(Protocol):
    """What the exit code needs of a run's rotations (rotation/summary.RotationTally)."""

    @property
    def any_failed(self) -> bool: ...

    @property
    def all_handled(self) -> bool: ...


class ExitCode(IntEnum):
    CLEAN = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3
    HANDLED = 4
    ROTATION_FAILED = 5


def for_findings(found: bool, rotation: RotationOutcome | None = None) -> ExitCode:
    """A scan's or sweep's code: `found` when a finding blocks, `rotation` when --rotate
    ran (its tally over the findings)."""
    if not found:
        return ExitCode.CLEAN
    if rotation is None:
        return ExitCode.FINDINGS
    if rotation.any_failed:
        return ExitCode.ROTATION_FAILED
    return ExitCode.HANDLED if rotation.all_handled else ExitCode.FINDINGS
