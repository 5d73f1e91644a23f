"""`leakstop init`: wire leakstop into a repository's pre-commit and detect-secrets setup.

Three files at the repository root, each left alone when already right, so a second run
changes nothing: the detect-secrets plugin file, `.secrets.baseline` (leakstop's plugins and
filters; existing entries kept) and `.pre-commit-config.yaml` (the leakstop hook appended as
text, so the user's comments and layout survive).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakstop import __version__, git
from leakstop.errors import LeakstopError
from leakstop.suppress.baseline import DEFAULT_NAME

PRE_COMMIT_FILE = ".pre-commit-config.yaml"
HOOK_ID = "leakstop"
HOOK_REPO = "https://github.com/leakstop/leakstop"

# Hook entries as lines relative to the list item: the first follows the dash, the rest sit at
# the item's content column (whatever indentation the user's file uses).
_REMOTE_HOOK = (f"repo: {HOOK_REPO}", f"rev: v{__version__}", "hooks:", f"  - id: {HOOK_ID}")
# Runs the leakstop installed on each developer's PATH: no download, nothing to publish.
_LOCAL_HOOK = (
    "repo: local",
    "hooks:",
    f"  - id: {HOOK_ID}",
    "    name: leakstop (block leaked API keys)",
    "    entry: leakstop scan --staged",
    "    language: system",
    "    pass_filenames: false",
    "    require_serial: true",
    "    stages: [pre-commit]",
)


@dataclass(frozen=True)
class InitOptions:
    baseline: bool = True
    pre_commit: bool = True
    local_hook: bool = False


def init(cwd: Path, options: InitOptions) -> list[str]:
    """Set the repository at `cwd` up; returns one line per thing done or found."""
    root = git.require_repo(cwd, "leakstop init")
    # Everything that can refuse (an unreadable baseline, a config we cannot edit) is worked
    # out before the first write, so a refusal leaves the repository untouched.
    planned: list[tuple[Path, str | None, str]] = []
    if options.pre_commit:
        planned.append(_plan_pre_commit(root / PRE_COMMIT_FILE, options.local_hook))
    if options.baseline:
        planned.append(_plan_baseline(root / DEFAULT_NAME))
    from leakstop.plugin.wiring import PLUGIN_FILE, PLUGIN_FILE_TEXT

    plugin = root / PLUGIN_FILE
    plugin_text = PLUGIN_FILE_TEXT if _read(plugin) != PLUGIN_FILE_TEXT else None
    planned.insert(0, (plugin, plugin_text, "detect-secrets plugin (loads leakstop's detectors)"))

    lines: list[str] = []
    for path, text, what in planned:
        rel = path.relative_to(root).as_posix()
        if text is None:
            lines.append(f"unchanged  {rel}: {what}")
            continue
        existed = path.exists()
        _write(path, text)
        lines.append(f"{'updated' if existed else 'created'}    {rel}: {what}")
    lines.extend(_next_steps(root, options))
    return lines


def _plan_baseline(path: Path) -> tuple[Path, str | None, str]:
    from leakstop.plugin.wiring import configure_baseline

    existing: Any = None
    if path.exists():
        try:
            existing = json.loads(_read(path) or "")
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


def _plan_pre_commit(path: Path, local: bool) -> tuple[Path, str | None, str]:
    hook = _LOCAL_HOOK if local else _REMOTE_HOOK
    what = "pre-commit hook `leakstop` (blocks commits that add a key)"
    text = _read(path)
    if text is None or not text.strip():
        header = "# See https://pre-commit.com for more information\nrepos:\n"
        return path, header + _item(hook, 2, 4, "\n"), what
    new = _add_hook(text, hook)
    if new is None:
        return path, None, "pre-commit config already runs the leakstop hook"
    return path, new, what


def _add_hook(text: str, hook: tuple[str, ...]) -> str | None:
    """`text` with `hook` appended to its `repos` list, or None when it has the hook already."""
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
        raise LeakstopError(f"{PRE_COMMIT_FILE} is not a YAML mapping; add the hook by hand")
    repos = data.get("repos")
    if _has_hook(repos):
        return None
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
            f"{PRE_COMMIT_FILE}: `repos` is not a block list; add the leakstop hook by hand "
            "or rerun with --no-pre-commit"
        )
    _check_added(data, new)
    return new


def _has_hook(repos: Any) -> bool:
    return isinstance(repos, list) and any(
        isinstance(hook, dict) and hook.get("id") == HOOK_ID
        for repo in repos
        if isinstance(repo, dict) and isinstance(repo.get("hooks"), list)
        for hook in repo["hooks"]
    )


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


def _check_added(before: dict[str, Any], text: str) -> None:
    """The edited text must parse to the old config plus exactly one new repo entry."""
    import yaml

    after = yaml.safe_load(text)
    ok = (
        isinstance(after, dict)
        and {k: v for k, v in after.items() if k != "repos"}
        == {k: v for k, v in before.items() if k != "repos"}
        and isinstance(after.get("repos"), list)
        and after["repos"][:-1] == (before.get("repos") or [])
        and _has_hook(after["repos"][-1:])
    )
    if not ok:  # pragma: no cover - a guard for layouts the insertion does not foresee
        raise LeakstopError(f"could not add the hook to {PRE_COMMIT_FILE} safely; add it by hand")


def _next_steps(root: Path, options: InitOptions) -> list[str]:
    from leakstop.scan_request import ScanRequest, run

    lines = []
    try:
        found = len(run(ScanRequest(cwd=root)).findings)
    except LeakstopError as exc:  # the setup is done; only the count is missing
        lines.append(f"warning    could not look for keys already in the repository: {exc}")
        found = 0
    if found:
        lines.append(
            f"warning    {found} key(s) are in tracked files now and none was added to the "
            "baseline: they have leaked; run `leakstop scan` to list them and rotate them"
        )
    to_commit = [".leakstop/"]
    if options.baseline:
        to_commit.append(DEFAULT_NAME)
    if options.pre_commit:
        to_commit.append(PRE_COMMIT_FILE)
        lines.append("next       run `pre-commit install` to activate the hook")
    lines.append(f"next       commit {', '.join(to_commit)}")
    if options.baseline:
        lines.append(
            "note       detect-secrets must run where leakstop is installed "
            "(its pre-commit hook: additional_dependencies: [leakstop])"
        )
    return lines


def _read(path: Path) -> str | None:
    """The file's text with its line endings as they are (a CRLF config stays CRLF)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise LeakstopError(f"cannot read {path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise LeakstopError(f"cannot read {path.name}: {exc.strerror}") from None


def _write(path: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted run never leaves half a file."""
    tmp = path.with_name(path.name + ".leakstop-tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LeakstopError(f"cannot write {path.name}: {exc.strerror}") from None
