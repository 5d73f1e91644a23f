"""Which lines of a new text are new: a line diff done here, for changes git does not diff
as text (UTF-16/UTF-32 files, which git calls binary) or could not diff (an object missing).
"""

from __future__ import annotations

from collections.abc import Sequence


def added_lines(olds: Sequence[str], new: str) -> frozenset[int]:
    """The 1-based numbers of the lines of `new` that are new against every text in `olds`
    (a merge's parents); every line when `olds` is empty."""
    import difflib  # only on this rare path: it is not needed for the pre-commit hook

    lines = new.split("\n")
    added: set[int] | None = None
    for old in olds:
        matcher = difflib.SequenceMatcher(None, old.split("\n"), lines)
        here = {
            number + 1
            for tag, _, _, low, high in matcher.get_opcodes()
            if tag in ("insert", "replace")
            for number in range(low, high)
        }
        added = here if added is None else added & here
    return frozenset(range(1, len(lines) + 1) if added is None else added)
