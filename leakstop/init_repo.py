"""`leakstop init`: wire leakstop into a repository's pre-commit and detect-secrets setup.

Three files at the repository root, each left alone when already right, so a second run
changes nothing: the detect-secrets plugin file, `.secrets.baseline` (leakstop's plugins and
filters; existing entries kept) and `.pre-commit-config.yaml` (the `leakstop` and
`leakstop-push` hooks appended as text, so the user's comments and layout survive).

By default the hooks are `repo: local` hooks that run the `leakstop` on PATH: they work at
once and offline, with nothing to download or publish. `--remote` writes the pinned remote
form instead, for teams that want pre-commit to install and pin leakstop itself.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakstop import __version__, git
from leakstop.errors import LeakstopError
from leakstop.suppress.baseline import DEFAULT_NAME
from leakstop.textfile import read_text, write_text

PRE_COMMIT_FILE = ".pre-commit-config.yaml"
COMMIT_HOOK = "leakstop"
PUSH_HOOK = "leakstop-push"
HOOK_IDS = (COMMIT_HOOK, PUSH_HOOK)
HOOK_REPO = "https://github.com/leakstop/leakstop"
HOOK_REV = f"v{__version__}"
INSTALL_COMMAND = "pre-commit install --hook-type pre-commit --hook-type pre-push"

# Hook entries as lines relative to the list item: the first follows the dash, the rest sit at
# the item's content column (whatever indentation the user's file uses).
# Local hooks run the leakstop installed on each developer's PATH: no download, nothing to
# publish, the same settings as .pre-commit-hooks.yaml.
_LOCAL_HOOKS = {
    COMMIT_HOOK: (
        f"  - id: {COMMIT_HOOK}",
        "    name: leakstop (block commits that add API keys)",
        "    entry: leakstop scan --staged",
        "    language: system",
        "    pass_filenames: false",
        "    require_serial: true",
        "    stages: [pre-commit]",
    ),
    PUSH_HOOK: (
        f"  - id: {PUSH_HOOK}",
        "    name: leakstop (block pushes carrying API keys)",
        "    entry: leakstop scan --pre-push",
        "    language: system",
        "    pass_filenames: false",
        "    always_run: true",
        "    require_serial: true",
        "    stages: [pre-push]",
    ),
}


def hook_item(hooks: tuple[str, ...], remote: bool) -> tuple[str, ...]:
    """One `repos` entry running `hooks`: local (leakstop on PATH) or the pinned remote."""
    if remote:
        ids = tuple(f"  - id: {hook}" for hook in hooks)
        return (f"repo: {HOOK_REPO}", f"rev: {HOOK_REV}", "hooks:", *ids)
    lines = tuple(line for hook in hooks for line in _LOCAL_HOOKS[hook])
    return ("repo: local", "hooks:", *lines)


@dataclass(frozen=True)
class InitOptions:
    baseline: bool = True
    pre_commit: bool = True
    remote: bool = False
    """The pinned remote hook repository instead of local hooks running leakstop on PATH."""


def init(cwd: Path, options: InitOptions) -> list[str]:
    """Set the repository at `cwd` up; returns one line per thing done or found."""
    root = git.require_repo(cwd, "leakstop init")
    # Everything that can refuse (an unreadable baseline, a config we cannot edit) is worked
    # out before the first write, so a refusal leaves the repository untouched.
    planned: list[tuple[Path, str | None, str]] = []
    if options.pre_commit:
        planned.append(_plan_pre_commit(root / PRE_COMMIT_FILE, options.remote))
    if options.baseline:
        planned.append(_plan_baseline(root / DEFAULT_NAME))
    from leakstop.plugin.wiring import PLUGIN_FILE, PLUGIN_FILE_TEXT

    plugin = root / PLUGIN_FILE
    plugin_text = PLUGIN_FILE_TEXT if read_text(plugin) != PLUGIN_FILE_TEXT else None
    planned.insert(0, (plugin, plugin_text, "detect-secrets plugin (loads leakstop's detectors)"))

    lines: list[str] = []
    for path, text, what in planned:
        rel = path.relative_to(root).as_posix()
        if text is None:
            lines.append(f"unchanged  {rel}: {what}")
            continue
        existed = path.exists()
        write_text(path, text)
        lines.append(f"{'updated' if existed else 'created'}    {rel}: {what}")
    lines.extend(_next_steps(root, options))
    return lines


def _plan_baseline(path: Path) -> tuple[Path, str | None, str]:
    from leakstop.plugin.wiring import configure_baseline

    existing: Any = None
    if path.exists():
        try:
            existing = json.loads(read_text(path) or "")
        except (ValueError, RecursionError) as exc:  # bad JSON, absurd nesting
            reason = str(exc) or type(exc).__name__
            raise LeakstopError(f"cannot read {path.name}: {reason}") from None
    data = configure_baseline(existing)
    if data == existing:
        return path, None, "detect-secrets baseline already has leakstop's plugins and filters"
    what = "detect-secrets baseline with leakstop's plugins and filters"
    if existing is not None:
        what += f" (its {sum(len(v) for v in data['results'].values())} entries kept)"
    return path, json.dumps(data, indent=2) + "\n", what


def _plan_pre_commit(path: Path, remote: bool) -> tuple[Path, str | None, str]:
    what = "pre-commit hooks `leakstop` (commits) and `leakstop-push` (pushes)"
    text = read_text(path)
    if text is None or not text.strip():
        # A new file also lists both hook types, so a plain `pre-commit install` (a teammate
        # who did not read the output) installs the push hook too.
        header = (
            "# See https://pre-commit.com for more information\n"
            "default_install_hook_types: [pre-commit, pre-push]\n"
            "repos:\n"
        )
        return path, header + _item(hook_item(HOOK_IDS, remote), 2, 4, "\n"), what
    new = _add_hooks(text, remote)
    if new is None:
        return path, None, "pre-commit config already runs the leakstop hooks"
    return path, new, what


def _add_hooks(text: str, remote: bool) -> str | None:
    """`text` with a `repos` entry for the missing leakstop hooks appended, or None when it
    runs both already."""
    import yaml

    try:
        data = yaml.safe_load(text)
        document = yaml.compose(text)
    except yaml.YAMLError as exc:
        # Only the position: PyYAML's message quotes the offending line, which may hold a key.
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise LeakstopError(f"{PRE_COMMIT_FILE} is not valid YAML{where}") from None
    if not isinstance(data, dict) or not isinstance(document, yaml.MappingNode):
        raise LeakstopError(f"{PRE_COMMIT_FILE} is not a YAML mapping; add the hooks by hand")
    repos = data.get("repos")
    missing = tuple(hook for hook in HOOK_IDS if hook not in _present_hooks(repos))
    if not missing:
        return None
    hook = hook_item(missing, remote)
    newline = "\r\n" if "\r\n" in text else "\n"
    node = next((v for k, v in document.value if k.value == "repos"), None)
    if node is None:
        tail = "" if text.endswith("\n") else newline
        new = text + tail + "repos:" + newline + _item(hook, 2, 4, newline)
    elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        new = _append_item(text, node, hook, newline)
    elif isinstance(node, yaml.SequenceNode | yaml.ScalarNode) and not repos:
        # `repos: []`, `repos:` or `repos: ~`: a block list replaces the empty value.
        head = text[: node.start_mark.index].rstrip(" \t")
        block = newline + _item(hook, 2, 4, newline).rstrip("\r\n")
        new = head + block + text[node.end_mark.index :]
    else:
        raise LeakstopError(
            f"{PRE_COMMIT_FILE}: `repos` is not a block list; add the leakstop hooks by hand "
            "or rerun with --no-pre-commit"
        )
    _check_added(data, new, missing)
    return new


def _present_hooks(repos: Any) -> set[str]:
    """The hook ids a parsed `repos` value runs."""
    if not isinstance(repos, list):
        return set()
    return {
        str(hook.get("id"))
        for repo in repos
        if isinstance(repo, dict) and isinstance(repo.get("hooks"), list)
        for hook in repo["hooks"]
        if isinstance(hook, dict)
    }


def _append_item(text: str, node: Any, hook: tuple[str, ...], newline: str) -> str:
    """Insert after the list's last item, in the list's own indentation."""
    item = _item(hook, node.start_mark.column, node.value[0].start_mark.column, newline)
    end = node.end_mark.index  # the start of the next top-level key, or the end of the text
    while text[:end].endswith(newline * 2):  # keep the blank lines before what follows
        end -= len(newline)
    head = text[:end] if text[:end].endswith("\n") else text[:end] + newline
    return head + item + text[end:]


def _item(hook: tuple[str, ...], dash: int, content: int, newline: str) -> str:
    first = " " * dash + "-" + " " * (content - dash - 1) + hook[0]
    return newline.join([first, *(" " * content + line for line in hook[1:])]) + newline


def _check_added(before: dict[str, Any], text: str, added: tuple[str, ...]) -> None:
    """The edited text must parse to the old config plus exactly one new repo entry."""
    import yaml

    after = yaml.safe_load(text)
    ok = (
        isinstance(after, dict)
        and {k: v for k, v in after.items() if k != "repos"}
        == {k: v for k, v in before.items() if k != "repos"}
        and isinstance(after.get("repos"), list)
        and after["repos"][:-1] == (before.get("repos") or [])
        and _present_hooks(after["repos"][-1:]) == set(added)
    )
    if not ok:  # pragma: no cover - a guard for layouts the insertion does not foresee
        raise LeakstopError(
            f"could not add the hooks to {PRE_COMMIT_FILE} safely; add them by hand"
        )


def _next_steps(root: Path, options: InitOptions) -> list[str]:
    from leakstop.scan import ScanRequest, run

    lines = []
    try:
        found = len(run(ScanRequest(cwd=root)).findings)
    except LeakstopError as exc:  # the setup is done; only the count is missing
        lines.append(f"warning    could not look for keys already in the repository: {exc}")
        found = 0
    if found:
        lines.append(
            f"warning    {found} key(s) are in tracked files now and none was added to the "
            "baseline: run `leakstop scan` to list them; rotate the real ones, and accept one "
            "you have judged harmless with `leakstop allow FILE:LINE --reason TEXT`"
        )
    to_commit = [".leakstop/"]
    if options.baseline:
        to_commit.append(DEFAULT_NAME)
    if options.pre_commit:
        to_commit.append(PRE_COMMIT_FILE)
        lines.extend(_hook_steps(options.remote))
    lines.append(f"next       commit {', '.join(to_commit)}")
    if options.baseline:
        lines.append(
            "note       detect-secrets loads leakstop's detectors through the baseline "
            f"({DEFAULT_NAME} names .leakstop/detect_secrets_plugin.py), so it must run where "
            "leakstop is installed (its pre-commit hook: additional_dependencies: [leakstop])"
        )
    return lines


def _hook_steps(remote: bool) -> list[str]:
    """How to switch the hooks on from here, and what is missing for them to run."""
    lines = []
    if shutil.which("pre-commit") is None:
        lines.append(
            "missing    pre-commit is not installed here: install it first "
            "(`pipx install pre-commit` or `python3 -m pip install pre-commit`)"
        )
    lines.append(f"next       run `{INSTALL_COMMAND}` to activate both hooks")
    if not remote:
        here = Path(sys.executable).parent
        on_path = shutil.which("leakstop")
        if on_path is None:
            lines.append(
                "missing    the hooks run `leakstop` from PATH, and PATH has none: activate "
                f'the environment leakstop runs from (`export PATH="{here}{os.pathsep}$PATH"`)'
                " or install it with `pipx install leakstop`"
            )
    return lines
