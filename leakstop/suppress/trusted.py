"""Suppressions for scans that judge new commits (--range, --pre-push, --pre-receive): read
from the trusted side, never from the commits being judged.

A push that adds a key and, in the same or an earlier commit of the push, a baseline entry
for it must not pass: the baseline is read as it is in the commit(s) the new commits are
compared with (the range's base, the remote's current tip, the server's current value of the
ref), never from the pushed tree or the checkout of it. Several refs in one push: a finding is
accepted only if every ref's trusted baseline accepts it.

What cannot be used on the trusted side (a baseline that is not valid JSON, a symlink that
leaves the repository, a directory) suppresses nothing and is named in a note: refusing the
scan instead would block the very push that repairs the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.suppress.baseline import Baseline

Note = Callable[[str], None]


# Not frozen: internal, never changed once made, and a frozen class costs twice as much to
# create at import, on the hook's path (docs/design.md, "Start-up cost").
@dataclass(slots=True)
class _Found:
    commit: bool
    """The revision names a commit in this repository."""
    data: bytes | None = None
    """The baseline's bytes in that commit (None: there is no usable file)."""
    problem: str | None = None
    """Why the path cannot be read as a baseline there (a symlink out of the tree, a tree)."""


def range_base(repo: Path, spec: str) -> str | None:
    """The trusted side of `A..B` (A; HEAD when A is empty) or `A...B` (their merge base)."""
    if "..." in spec:
        left, _, right = spec.partition("...")
        out = git.run(
            ["merge-base", "--end-of-options", left or "HEAD", right or "HEAD"], repo, check=False
        )
        base = out.decode("ascii", "replace").strip()
        return base or None
    left = spec.partition("..")[0]
    return left or "HEAD"


def trusted_baseline(
    repo: Path,
    sides: Sequence[Sequence[str]],
    path: str,
    note: Note | None,
    named: bool = False,
) -> Baseline:
    """What every side accepts. Each side (one per pushed ref) lists revisions to try in
    order; the first that is a commit here holds that side's baseline at `path`. A side with
    no such commit has no trusted baseline, so nothing is accepted. `named`: the user named
    `path` (--baseline), so its absence is worth a note."""
    if not sides:
        return Baseline.empty()
    wanted = list(dict.fromkeys(rev for side in sides for rev in side))
    found = _look_up(repo, wanted, path)
    result: Baseline | None = None
    for side in sides:
        rev = next((r for r in side if found[r].commit), None)
        baseline = (
            Baseline.empty() if rev is None else _baseline(rev, found[rev], path, note, named)
        )
        result = baseline if result is None else result & baseline
        if not len(result):
            break
    return result or Baseline.empty()


def path_in_work_tree(root: Path | None, cwd: Path, given: Path) -> str | None:
    """The repository path of a `--baseline FILE` inside the work tree (its content is then
    the scanned commits' or the checkout's, so it is read from the trusted side instead), or
    None for a file outside it (the operator's own, read as given)."""
    if root is None:
        return None
    target = given if given.is_absolute() else cwd / given
    for candidate, top in (
        (Path(os.path.normpath(target)), Path(os.path.normpath(root))),
        (target.resolve(), root.resolve()),
    ):
        if candidate == top or top in candidate.parents:
            return candidate.relative_to(top).as_posix()
    return None


def _baseline(rev: str, found: _Found, path: str, note: Note | None, named: bool) -> Baseline:
    where = f"{rev[:12]}:{path}"
    if found.problem is not None:
        _say(note, f"the baseline {where} {found.problem}; it accepts nothing")
        return Baseline.empty()
    if found.data is None:
        if named:
            _say(
                note,
                f"--baseline {path} is inside the repository, so it is read from the trusted "
                f"side, {rev[:12]}, which has no such file; nothing is accepted",
            )
        return Baseline.empty()
    try:
        return Baseline.parse(found.data, where)
    except LeakstopError as exc:
        _say(note, f"{exc}; it accepts nothing")
        return Baseline.empty()


def _say(note: Note | None, remark: str) -> None:
    if note is not None:
        note(remark)


def _look_up(repo: Path, revisions: Sequence[str], path: str) -> dict[str, _Found]:
    """For each revision: is it a commit here, and the baseline's bytes in it. One
    `git cat-file --batch --follow-symlinks` for all: a symlink inside the tree is followed
    there; one that leaves the tree is reported, never followed on this machine."""
    usable = [r for r in revisions if "\n" not in r and "\n" not in path]
    query = "".join(f"{r}^{{commit}}\n{r}:{path}\n" for r in usable)
    out = git.run(["cat-file", "--batch", "--follow-symlinks"], repo, data=query.encode())
    try:
        answers = _answers(out, 2 * len(usable))
    except (ValueError, IndexError):  # never expected; never a pass because of it either
        raise LeakstopError("git cat-file gave an answer leakstop cannot read") from None
    found = {r: _Found(commit=False) for r in revisions}
    for i, rev in enumerate(usable):
        (commit_kind, _), (kind, data) = answers[2 * i], answers[2 * i + 1]
        if commit_kind != "commit":
            continue
        if kind == "blob":
            found[rev] = _Found(commit=True, data=data)
        elif kind in ("missing", "dangling"):
            found[rev] = _Found(commit=True)
        else:
            found[rev] = _Found(commit=True, problem=_PROBLEMS.get(kind, f"is a {kind}"))
    return found


_PROBLEMS = {
    "symlink": "is a symlink that leaves the repository (not followed)",
    "loop": "is a symlink loop",
    "notdir": "is under a path that is not a directory",
}


def _answers(out: bytes, count: int) -> list[tuple[str, bytes]]:
    """(kind, content) per query line of `cat-file --batch --follow-symlinks`: kind is the
    object type, or missing / ambiguous / symlink / dangling / loop / notdir."""
    answers: list[tuple[str, bytes]] = []
    pos = 0
    for _ in range(count):
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if header[-1] in (b"missing", b"ambiguous"):
            answers.append((header[-1].decode(), b""))
            continue
        kind, size = (header[1], header[2]) if len(header) == 3 else (header[0], header[1])
        length = int(size)
        answers.append((kind.decode("ascii", "replace"), out[pos : pos + length]))
        pos += length + 1
    return answers
