"""The text report's "What to do" block, fitted to where the user is.

A blocked commit needs unstaging and the environment; a blocked push needs the unpushed
commits rewritten (the exact commands, naming the commits); a server's refusal needs the same
and says that pushed baselines do not count there; in CI the commit is already public, so
rotation comes first; after a rotation, what remains is cleaning up and updating deployments.
Pure text from the findings and the Situation: no git, no network, no key.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from leakstop.outcomes import DEAD
from leakstop.report.records import FindingRecord, Report
from leakstop.situation import FlaggedCommit, Situation

_NOT_REAL = [
    "Not a real key? Accept it by its hash: `leakstop allow FILE:LINE --reason WHY`.",
    "A push or CI run honours that only once it is on the target branch (docs/security.md).",
]
_NOT_LEFT = "The key has not left this machine: no rotation is needed, unless you shared it."


def advice(report: Report) -> list[str]:
    """The block's lines (none without findings)."""
    findings = report.findings
    if not findings:
        return []
    where = report.situation or Situation(mode=report.scan.mode)
    rotated = any(f.rotation for f in findings)
    if where.mode == "pre-receive":
        head, steps = _pre_receive(where, findings)
    elif where.ci and where.mode != "staged":
        head, steps = _ci(where, findings, rotated)
    elif where.mode == "staged":
        head, steps = _staged(findings, rotated)
    elif where.mode == "pre-push":
        head, steps = _pre_push(where, findings, rotated)
    elif where.mode == "range":
        head, steps = _range(where, findings, rotated)
    elif where.mode == "history":
        head, steps = _history(findings, rotated)
    else:
        head, steps = _files(findings, rotated)
    if not report.blocking:  # only possible findings: nothing was refused
        head = "possible keys only, nothing was refused; if one is a real key"
    out = ["", f"What to do ({head}):"]
    if rotated:  # the keys were real: no "not a real key?" step, and no second rotation
        steps = [*_after_rotation(findings), *(s for s in steps if s is not _NOT_REAL)]
    for number, step in enumerate(steps, 1):
        first, *rest = step
        out.append(f"  {number}. {first}")
        out.extend(f"     {line}" for line in rest)
    return out


Step = list[str]


# -- one function per situation ------------------------------------------------------------
def _staged(findings: Sequence[FindingRecord], rotated: bool) -> tuple[str, list[Step]]:
    files = _files_of(findings)
    steps = [
        [f"Unstage: git restore --staged -- {_args(files)}"],
        _environment_step(findings, rotated=rotated),
        [f"Stage again (git add -- {_args(files)}) and commit."] + ([] if rotated else [_NOT_LEFT]),
        _NOT_REAL,
    ]
    secrets_files = [f for f in files if _is_env_file(f)]
    if secrets_files:
        steps.insert(2, [f"Keep {_args(secrets_files)} out of git: add it to .gitignore."])
    return "the commit is blocked; nothing was committed", steps


def _pre_push(
    where: Situation, findings: Sequence[FindingRecord], rotated: bool
) -> tuple[str, list[Step]]:
    steps = [
        _environment_step(findings, rotated=rotated),
        _rewrite(where, findings),
        ["Push again."] + ([] if rotated else [_NOT_LEFT]),
        _NOT_REAL,
    ]
    return "the push is blocked; these commits have not left this machine", steps


def _pre_receive(where: Situation, findings: Sequence[FindingRecord]) -> tuple[str, list[Step]]:
    steps = [
        [
            "This server checks every pushed commit with its own settings: a .secrets.baseline",
            "in your push is ignored here. A false positive is for the server's administrator.",
        ],
        _environment_step(findings),
        _rewrite(where, findings, knows_head=False),
        [
            "Push again. The server kept none of these commits; if the key went anywhere else",
            "(another remote, a chat), rotate it.",
        ],
    ]
    return "the server refused the push", steps


def _ci(
    where: Situation, findings: Sequence[FindingRecord], rotated: bool
) -> tuple[str, list[Step]]:
    steps: list[Step] = []
    if not rotated:
        steps.append(
            [
                "Rotate every key now: the commits are already public. On your machine:",
                *_rotate_commands(findings),
                "(or in the provider's dashboard, as shown above each key).",
            ]
        )
    steps += [
        ["Give the new key to every deployment and CI secret that used the old one."],
        [
            "Remove the key from the code in a new commit and read it from the environment;",
            "rewriting pushed history does not make a key secret again.",
        ],
        _NOT_REAL,
    ]
    return f"{where.ci}: these commits are already pushed, treat every key as leaked", steps


def _range(
    where: Situation, findings: Sequence[FindingRecord], rotated: bool
) -> tuple[str, list[Step]]:
    steps = [_environment_step(findings, rotated=rotated)]
    if not rotated:
        command = "leakstop scan --range " + shlex.quote(where.revision_range or "A..B")
        steps.append(
            [
                "If these commits were pushed or shared, each key is leaked: rotate it",
                f"({command} --rotate) and update its deployments.",
            ]
        )
    steps += [
        _rewrite(where, findings, intro="If they are only on this machine, rewrite them. "),
        _NOT_REAL,
    ]
    return "keys in the commits of the range", steps


def _history(findings: Sequence[FindingRecord], rotated: bool) -> tuple[str, list[Step]]:
    steps: list[Step] = []
    if not rotated:
        steps.append(
            [
                "Anyone with a clone has these keys: rotate each one",
                "(leakstop scan --history --rotate) and update its deployments.",
            ]
        )
    steps += [
        _environment_step(findings, current=True, rotated=rotated),
        [
            "Old commits keep a dead key, which is harmless. Rewrite history (git filter-repo)",
            "only if nobody else has cloned it; it never un-leaks a live key.",
        ],
        _NOT_REAL,
    ]
    return "keys in the repository's history", steps


def _files(findings: Sequence[FindingRecord], rotated: bool) -> tuple[str, list[Step]]:
    steps = [_environment_step(findings, rotated=rotated)]
    if not rotated:
        steps.append(
            [
                "A key that was ever committed, pushed or shared is leaked: rotate it as shown",
                "above (leakstop scan --rotate, or leakstop rotate --provider NAME).",
            ]
        )
    steps.append(_NOT_REAL)
    return "keys in the scanned files", steps


# -- shared steps ------------------------------------------------------------------------
def _environment_step(
    findings: Sequence[FindingRecord], current: bool = False, rotated: bool = False
) -> Step:
    variables = sorted({_variable(f) for f in findings})
    where = "the current code" if current else _args(_files_of(findings))
    key = "the old key" if rotated else "the key"
    read = "the new one" if rotated else "it"
    return [
        f"Take {key} out of {where} and read {read} from the environment or a secret",
        f"manager instead, e.g. {', '.join(variables)} (set in your shell or a git-ignored .env).",
    ]


def _rewrite(
    where: Situation, findings: Sequence[FindingRecord], knows_head: bool = True, intro: str = ""
) -> Step:
    """The exact commands that take the key out of the commits that add it."""
    by_commit: dict[str, list[FindingRecord]] = {}
    for finding in findings:
        if finding.commit:
            by_commit.setdefault(finding.commit, []).append(finding)
    order = [c for c in where.commits if c.sha in by_commit]
    if not order:
        return [f"{intro}Rewrite the commits that add the key (git rebase -i, git commit --amend)."]
    files = {sha: _args(_files_of(group)) for sha, group in by_commit.items()}
    if knows_head and len(order) == 1 and order[0].sha == where.head:
        sha = order[0].sha
        return [
            f"{intro}The key is in your last commit, {sha[:12]}: take it out of {files[sha]}, then",
            f"git add -- {files[sha]} && git commit --amend --no-edit",
        ]
    marks = ", ".join(c.sha[:12] for c in order)
    what = "the commit that adds" if len(order) == 1 else f"the {len(order)} commits that add"
    lines = [
        f"{intro}Rewrite {what} the key:",
        f"git rebase -i {_rebase_base(order[0])}",
        f"In the editor, change `pick` to `edit` for {marks}. At each stop, take the key out",
        "of the files named below, then",
        "git add -- FILES && git commit --amend --no-edit && git rebase --continue",
        *(f"  {c.sha[:12]}: {files[c.sha]}" for c in order),
    ]
    if not knows_head and len(order) == 1:
        lines.append(f"(If {order[0].sha[:12]} is your last commit, git commit --amend is enough.)")
    return lines


def _rebase_base(commit: FlaggedCommit) -> str:
    if not commit.parents:
        return "--root"
    return f"{commit.sha[:12]}^"


def _after_rotation(findings: Sequence[FindingRecord]) -> list[Step]:
    """What the rotation did per key, where each new key went, and what remains."""
    seen: dict[str, list[FindingRecord]] = {}
    for finding in findings:
        seen.setdefault(str(finding.hashed_secret), []).append(finding)
    lines: list[str] = []
    dead = False
    for group in seen.values():
        first = group[0]
        rotation = first.rotation
        status = rotation.status if rotation else ""
        places = ", ".join(_place(f) for f in group[:3]) + (" …" if len(group) > 3 else "")
        lines.append(f"{first.kind.title} {first.redacted}: {status.replace('_', ' ')}")
        if rotation and rotation.detail:
            lines.append(f"  {rotation.detail}")
        if status in DEAD:
            dead = True
            lines.append(f"  still in {places}: remove the old key from the code")
        else:
            lines.append(f"  NOT rotated, it may still work: {first.kind.guidance}")
    steps = [["After rotation:", *lines]]
    if dead:
        steps.append(
            [
                "Update every deployment, CI secret and teammate that used an old key with the",
                "new one: the old key stopped working.",
            ]
        )
    return steps


def _rotate_commands(findings: Sequence[FindingRecord]) -> list[str]:
    seen: dict[str, FindingRecord] = {}
    for finding in findings:
        if finding.kind.rotatable:
            seen.setdefault(str(finding.hashed_secret), finding)
    return [
        f"  leakstop rotate --provider {f.provider}   (the key {f.redacted} from {_place(f)})"
        for f in seen.values()
    ]


# -- helpers -----------------------------------------------------------------------------
def _files_of(findings: Sequence[FindingRecord]) -> list[str]:
    return list(dict.fromkeys(f.file for f in findings))


def _args(files: Sequence[str]) -> str:
    """File names as shell words to paste: quoted, and a name with control characters in
    bash's $'…' form, so nothing in a name can move the cursor or forge a line."""
    return " ".join(_quote(f) for f in files)


def _quote(name: str) -> str:
    if name.isprintable():
        return shlex.quote(name)
    return "$'" + _escaped(name.replace("\\", "\\\\").replace("'", "\\'")) + "'"


def _escaped(text: str) -> str:
    return "".join(
        c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
        for c in text
    )


def _place(finding: FindingRecord) -> str:
    commit = f" @ {finding.commit[:12]}" if finding.commit else ""
    return f"{_escaped(finding.file)}:{finding.line}{commit}"


def _variable(finding: FindingRecord) -> str:
    return f"{(finding.provider or finding.kind.provider).upper()}_API_KEY"


def _is_env_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")
