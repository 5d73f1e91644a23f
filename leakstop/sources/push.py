"""Which commits a push sends: for git's pre-push hook on the client and a pre-receive hook on
the server.

pre-push: git runs the hook with the remote's name and URL as arguments and writes one line
per ref to update on its stdin, ``<local ref> <local sha> <remote ref> <remote sha>``. pre-commit
reads those lines itself and hands its hooks the first ref only (pre-commit issues #1908,
#1940): ``PRE_COMMIT_FROM_REF`` / ``PRE_COMMIT_TO_REF``, or, when that ref's new history reaches
a root commit, no range at all but ``PRE_COMMIT_LOCAL_BRANCH``; ``PRE_COMMIT_REMOTE_NAME``
names the remote in both cases.

The rules follow pre-commit's own: a deleted ref sends nothing; a remote sha this repository
has gives ``remote..local``; a new ref (zero sha), or a remote sha this repository lacks
(someone else's push, a shallow clone), gives the commits of ``local`` that no remote-tracking
ref of that remote has. All refs of one push are answered by one ``git rev-list``, which also
excludes every remote sha of the push: the remote has those commits already.

pre-receive: one line per ref, ``<old sha> <new sha> <ref name>``. A server has no
remote-tracking refs; what is new is what no existing ref reaches (``--not --all``). The new
objects sit in git's quarantine directory, which git's environment makes visible to the
``git`` processes started here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.sources.tags import tag_objects
from leakstop.wording import a

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_ZERO = re.compile(r"0{40}(?:0{24})?")

Note = Callable[[str], None]


@dataclass(frozen=True)
class RefUpdate:
    """One ref a push updates: ``new`` is what it will point at (zero: the ref is deleted),
    ``old`` what it points at now (zero: the ref is created)."""

    ref: str
    new: str
    old: str

    @property
    def deletes(self) -> bool:
        return bool(_ZERO.fullmatch(self.new))

    @property
    def creates(self) -> bool:
        return bool(_ZERO.fullmatch(self.old))


@dataclass
class PushCommits:
    """The commits to scan, newest first, each once, and remarks for the user."""

    commits: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    """Annotated tag objects the push sends, whose messages are scanned too."""
    updates: int = 0
    """Ref updates that send commits (deletions excluded)."""
    notes: list[str] = field(default_factory=list)
    trusted: list[list[str]] = field(default_factory=list)
    """For each ref update: the revisions the receiving side has now, whose baseline is
    trusted (never the pushed commits' own)."""


# -- reading the hooks' input ---------------------------------------------------------------


def parse_pre_push(lines: Iterable[str]) -> list[RefUpdate]:
    """``<local ref> <local sha> <remote ref> <remote sha>`` lines; blank lines are ignored."""
    updates = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4 or not (_SHA.fullmatch(parts[1]) and _SHA.fullmatch(parts[3])):
            raise LeakstopError(
                f"--pre-push: line {number} of the input is not "
                "'<local ref> <local sha> <remote ref> <remote sha>' as git writes it"
            )
        updates.append(RefUpdate(ref=parts[2], new=parts[1], old=parts[3]))
    return updates


def parse_pre_receive(lines: Iterable[str]) -> list[RefUpdate]:
    """``<old sha> <new sha> <ref name>`` lines; blank lines are ignored."""
    updates = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not (_SHA.fullmatch(parts[0]) and _SHA.fullmatch(parts[1])):
            raise LeakstopError(
                f"--pre-receive: line {number} of the input is not "
                "'<old sha> <new sha> <ref name>' as git writes it"
            )
        updates.append(RefUpdate(ref=parts[2], new=parts[1], old=parts[0]))
    return updates


def pre_push_input(
    remote: str | None, stdin: TextIO, environ: Mapping[str, str]
) -> tuple[list[RefUpdate], str | None]:
    """The ref updates of a push and the remote's name, from wherever they are.

    With ``remote`` (the hook's first argument) the caller is git itself, or a script git
    runs, and the lines are on stdin. Without it, pre-commit's variables win; then stdin, as
    long as it is not a terminal.
    """
    if remote is not None:
        return _lines(stdin, "--pre-push"), remote
    from_ref = environ.get("PRE_COMMIT_FROM_REF", "")
    to_ref = environ.get("PRE_COMMIT_TO_REF", "")
    remote_name = environ.get("PRE_COMMIT_REMOTE_NAME") or None
    target = environ.get("PRE_COMMIT_REMOTE_BRANCH") or to_ref
    if from_ref or to_ref:
        if not (from_ref and to_ref):
            raise LeakstopError(
                "--pre-push: PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF go together; "
                "only one of them is set"
            )
        return [RefUpdate(ref=target, new=to_ref, old=from_ref)], remote_name
    local_branch = environ.get("PRE_COMMIT_LOCAL_BRANCH", "")
    if local_branch:
        # pre-commit found the pushed history reaches a root commit: it names no range.
        return [RefUpdate(ref=target or local_branch, new=local_branch, old="0" * 40)], remote_name
    if environ.get("PRE_COMMIT"):
        raise LeakstopError(
            "--pre-push: pre-commit gave no push range; run it through `git push`, or "
            "`pre-commit run --hook-stage pre-push --from-ref A --to-ref B`"
        )
    return _lines(stdin, "--pre-push"), None


def pre_receive_input(stdin: TextIO) -> list[RefUpdate]:
    return parse_pre_receive(_lines_raw(stdin, "--pre-receive"))


def _lines(stdin: TextIO, option: str) -> list[RefUpdate]:
    return parse_pre_push(_lines_raw(stdin, option))


def _lines_raw(stdin: TextIO, option: str) -> list[str]:
    if stdin.isatty():
        hook = option.removeprefix("--")
        raise LeakstopError(
            f"{option} reads the ref lines git gives {a(hook)} hook on stdin; "
            f"run it from {a(hook)} hook" + (" or through pre-commit" if hook == "pre-push" else "")
        )
    return stdin.read().splitlines()


# -- from ref updates to commits ------------------------------------------------------------


def incoming(
    mode: str, cwd: Path, remote: str | None, stdin: TextIO, environ: Mapping[str, str]
) -> tuple[Path, PushCommits]:
    """The repository and what a push sends (`pre-push`) or brings (`pre-receive`), from the
    hook's input."""
    repo = git_directory(cwd)
    if mode == "pre-receive":
        return repo, received_commits(repo, pre_receive_input(stdin))
    updates, remote = pre_push_input(remote, stdin, environ)
    return repo, pushed_commits(repo, updates, remote)


def pushed_commits(root: Path, updates: Sequence[RefUpdate], remote: str | None) -> PushCommits:
    """The commits a push sends to ``remote`` (a configured remote's name, a URL, or None)."""
    result = PushCommits()
    sending = [u for u in updates if not u.deletes]
    result.updates = len(sending)
    # What the remote has: the ref's current tip there, else (a new ref, or a tip this
    # clone lacks) the remote's default branch as last fetched.
    default = [f"refs/remotes/{remote}/HEAD"] if remote else []
    result.trusted = [([u.old] if not u.creates else []) + default for u in sending]
    if not sending:
        return result
    tips = _commit_tips(root, sending)
    result.tags = tag_objects(root, [u.new for u in sending])
    tracked = remote is not None and remote in _remote_names(root)
    shallow = _shallow_boundary(root)
    bases = _peel_commits(root, [u.old for u in sending if not u.creates])
    for update in sending:
        if update.creates or update.old in bases:
            continue
        where = "this shallow clone" if shallow else "this repository"
        instead = (
            f"the pushed commits that no {remote!r} remote-tracking ref has"
            if tracked
            else "every commit the pushed ref reaches"
        )
        result.notes.append(
            f"{update.ref} is at {update.old[:12]} on the remote, which {where} does not "
            f"have; scanning {instead} (fetch it for an exact range)"
        )
    exclude = ["--not", f"--remotes={remote}"] if tracked else []
    result.commits = _rev_list(root, tips, list(dict.fromkeys(bases.values())), exclude)
    _note_boundary(result, shallow)
    return result


def received_commits(git_dir: Path, updates: Sequence[RefUpdate]) -> PushCommits:
    """The commits a push brings to this (server) repository: what no existing ref reaches."""
    result = PushCommits()
    sending = [u for u in updates if not u.deletes]
    result.updates = len(sending)
    # The server's current value of each ref; a new ref: the default branch.
    result.trusted = [[u.old] if not u.creates else ["HEAD"] for u in sending]
    if sending:
        tips = _commit_tips(git_dir, sending)
        result.tags = tag_objects(git_dir, [u.new for u in sending])
        result.commits = _rev_list(git_dir, tips, [], ["--not", "--all"])
    return result


def git_directory(cwd: Path) -> Path:
    """The work tree's top, or for a bare repository (a server, a mirror) its git directory."""
    top = git.repo_root(cwd)
    if top is not None:
        return top
    out = git.run(["rev-parse", "--absolute-git-dir"], cwd, check=False).strip()
    if not out:
        raise LeakstopError(f"{cwd} is not inside a git repository")
    return Path(out.decode("utf-8", "surrogateescape"))


def _commit_tips(root: Path, updates: Sequence[RefUpdate]) -> list[str]:
    """The commit each update sends; an object that is missing or not a commit is an error
    (a push that cannot be scanned must not pass)."""
    peeled = _peel_commits(root, [u.new for u in updates])
    tips: dict[str, None] = {}
    for update in updates:
        commit = peeled.get(update.new)
        if commit is None:
            kind = _object_type(root, update.new)
            what = f"is {a(kind)}, not a commit" if kind else "is not in this repository"
            raise LeakstopError(f"cannot scan the push of {update.ref}: {update.new[:40]} {what}")
        tips[commit] = None
    return list(tips)


def _peel_commits(root: Path, revisions: Sequence[str]) -> dict[str, str]:
    """revision -> the commit it names (tags peeled); revisions that name none are left out."""
    wanted = [r for r in dict.fromkeys(revisions) if r and r.isprintable() and r[0] != "-"]
    if not wanted:
        return {}
    query = "".join(f"{r}^{{commit}}\n" for r in wanted)
    out = _git_with_input(
        ["cat-file", "--batch-check=%(objectname) %(objecttype)"], root, query
    ).splitlines()
    peeled = {}
    for revision, line in zip(wanted, out, strict=True):
        sha, _, kind = line.partition(" ")
        if kind == "commit":
            peeled[revision] = sha
    return peeled


def _object_type(root: Path, revision: str) -> str:
    if revision.startswith("-"):
        return ""
    out = _git_with_input(["cat-file", "--batch-check=%(objecttype)"], root, f"{revision}\n")
    kind = out.strip()
    return kind if kind in {"blob", "tree", "tag", "commit"} else ""


def _rev_list(root: Path, tips: list[str], known: list[str], exclude: list[str]) -> list[str]:
    # Revisions go on stdin (a mirror push can name more refs than a command line holds).
    query = "".join(f"{t}\n" for t in tips) + "".join(f"^{k}\n" for k in known)
    out = _git_with_input(["rev-list", "--stdin", *exclude], root, query)
    return list(dict.fromkeys(out.split()))


def _remote_names(root: Path) -> set[str]:
    out = git.run(["remote"], root).decode("utf-8", "surrogateescape")
    return set(out.split())


def _shallow_boundary(root: Path) -> set[str]:
    """The commits whose parents a shallow clone lacks (empty for a full clone)."""
    path = git.run(["rev-parse", "--git-path", "shallow"], root).decode().strip()
    shallow = root / path
    try:
        return set(shallow.read_text(encoding="ascii").split())
    except (FileNotFoundError, UnicodeDecodeError):
        return set()


def _note_boundary(result: PushCommits, boundary: set[str]) -> None:
    cut = [sha for sha in result.commits if sha in boundary]
    if cut:
        shown = ", ".join(sha[:12] for sha in cut[:3]) + (", …" if len(cut) > 3 else "")
        result.notes.append(
            f"shallow clone: the parents of {shown} are not here, so every file of "
            "that commit is scanned as if added (`git fetch --deepen=N` for an exact scan)"
        )


def _git_with_input(args: Sequence[str], cwd: Path, text: str) -> str:
    """A git command that reads its list on stdin, as text."""
    data = text.encode("utf-8", "surrogateescape")
    return git.run(args, cwd, data=data).decode("utf-8", "surrogateescape")
