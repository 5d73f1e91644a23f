"""Which baseline a scan trusts: the checkout's own for what its owner has (files, the index,
the whole history), the trusted side's for new commits (a range, a push)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leakstop.errors import LeakstopError
from leakstop.suppress.baseline import DEFAULT_NAME, Baseline
from leakstop.suppress.trusted import path_in_work_tree, trusted_baseline


def checkout_baseline(use: bool, given: Path | None, cwd: Path, root: Path | None) -> Baseline:
    """`given` (relative to `cwd`), else the repository's (or `cwd`'s) default one if present;
    none when `use` is off."""
    if not use:
        return Baseline.empty()
    if given is not None:
        path = given if given.is_absolute() else cwd / given
        if not path.is_file():
            raise LeakstopError(f"baseline not found: {given}")
        return Baseline.load(path)
    default = (root or cwd) / DEFAULT_NAME
    return Baseline.load(default) if default.is_file() else Baseline.empty()


def trusted_side_baseline(
    use: bool,
    given: Path | None,
    cwd: Path,
    repo: Path,
    root: Path | None,
    sides: list[list[str]],
    note: Callable[[str], None] | None,
) -> Baseline:
    """For new commits: an operator's `given` baseline outside the work tree as given;
    otherwise the baseline (the default one, or `given` inside the work tree) as it is on the
    trusted side `sides`, never as the scanned commits or their checkout have it."""
    if not use:
        return Baseline.empty()
    path = DEFAULT_NAME
    if given is not None:
        inside = path_in_work_tree(root, cwd, given)
        if inside is None:
            return checkout_baseline(use, given, cwd, root)
        path = inside
    baseline = trusted_baseline(repo, sides, path, note, named=given is not None)
    operator = repo / DEFAULT_NAME
    if given is None and root is None and operator.is_file():
        # A server's bare repository: its own directory is the administrator's, not a pusher's.
        baseline = baseline | Baseline.load(operator)
    return baseline
