"""The architecture, read from the code (issue 11): no private reach across modules, no UI
library outside cli/, thin commands, and one module that starts git. Each rule is a small
AST check over leakstop/, and each check is also run on a made-up offender, so the rule can
be seen to fail."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import leakstop

PACKAGE = Path(leakstop.__file__).parent
GIT_MODULE = PACKAGE / "git.py"
MAX_COMMAND_LINES = 40


def modules(under: str = "") -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def dotted(path: Path) -> str:
    """leakstop/sweep/run.py -> leakstop.sweep.run (a package's __init__ -> the package)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# -- (a) no private reach ---------------------------------------------------------------------
def own_private_members(tree: ast.Module) -> set[str]:
    """Private names a class of this module defines (methods, class attributes, `self._x`
    assignments): the module may use them on any instance of its own classes."""
    names: set[str] = set()
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        for node in ast.walk(cls):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return {name for name in names if private(name)}


def private_reach(tree: ast.Module, module: str) -> Iterator[str]:
    """Each import of a private name or module, and each `other._name` that is not a
    member of a class defined here."""
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # relative: resolve against this module's package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{parent}.{source}" if source else parent
            for alias in node.names:
                path = [*source.split("."), alias.name]
                if any(private(part) for part in path):
                    yield f"line {node.lineno}: from {source} import {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(private(part) for part in alias.name.split(".")):
                    yield f"line {node.lineno}: import {alias.name}"
    own = own_private_members(tree)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and private(node.attr)):
            continue
        base = node.value
        if isinstance(base, ast.Name) and base.id in ("self", "cls"):
            continue
        if isinstance(base, ast.Call) and ast.unparse(base.func) == "super":
            continue
        if node.attr in own:
            continue
        yield f"line {node.lineno}: {ast.unparse(node)}"


def test_no_module_reaches_into_anothers_private_names() -> None:
    offenders = [
        f"{dotted(path)} {found}"
        for path in modules()
        for found in private_reach(parse(path), dotted(path))
    ]
    assert offenders == []


def test_private_reach_check_catches_each_form() -> None:
    source = """
from leakstop.sweep.triage import _keys
from leakstop.rotation import engine, _journal
from ._helpers import thing
import leakstop._internal
from leakstop import git

class Lines:
    def __init__(self):
        self._pos = 0

def use(lines: Lines, other):
    lines._pos += 1          # a member of this module's class: fine
    engine.Engine()._pace()  # another module's private method
    git._run(["status"])     # another module's private function
    self_like = other.__len__()
"""
    found = list(private_reach(ast.parse(source), "leakstop.sources.example"))
    assert [line.split(": ", 1)[1] for line in found] == [
        "from leakstop.sweep.triage import _keys",
        "from leakstop.rotation import _journal",
        "from leakstop.sources._helpers import thing",
        "import leakstop._internal",
        "engine.Engine()._pace",
        "git._run",
    ]


# -- (b) no UI library below the command line -------------------------------------------------
UI_LIBRARIES = {"click", "rich", "typer", "prompt_toolkit", "questionary", "tkinter", "curses"}
UI_CALLS = {"input", "getpass.getpass", "click.echo", "click.confirm", "click.prompt"}
NO_UI = ("rotation", "sources", "detect")


def ui_uses(tree: ast.Module, libraries: set[str] = UI_LIBRARIES) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in UI_CALLS:
            yield f"line {node.lineno}: {ast.unparse(node.func)}()"
            continue
        else:
            continue
        for name in names:
            if name.split(".")[0] in libraries | {"getpass"}:
                yield f"line {node.lineno}: imports {name}"


@pytest.mark.parametrize("package", NO_UI)
def test_core_packages_import_no_ui_library(package: str) -> None:
    offenders = [
        f"{dotted(path)} {found}" for path in modules(package) for found in ui_uses(parse(path))
    ]
    assert modules(package) and offenders == []


def test_click_is_imported_only_under_cli() -> None:
    """Orchestration moved out of cli/ stays UI-free: sweep/, suppress/, simulator/ and the
    rest reach the user through callbacks the command passes in."""
    offenders = [
        f"{dotted(path)} {found}"
        for path in modules()
        if PACKAGE / "cli" not in path.parents
        for found in ui_uses(parse(path), {"click"})
        if "imports" in found
    ]
    assert offenders == []


def imports_of(tree: ast.Module) -> Iterator[str]:
    """Every module an import statement names (lazy ones inside functions too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def cli_imports(tree: ast.Module) -> list[str]:
    return [
        name
        for name in imports_of(tree)
        if name == "leakstop.cli" or name.startswith("leakstop.cli.")
    ]


def test_imports_point_from_cli_to_the_core_never_back() -> None:
    """The core reaches the user only through callbacks, so nothing below the command line
    imports it (the package's `python -m leakstop` entry point aside)."""
    offenders = [
        f"{dotted(path)} imports {name}"
        for path in modules()
        if PACKAGE / "cli" not in path.parents and path != PACKAGE / "__main__.py"
        for name in cli_imports(parse(path))
    ]
    assert offenders == []
    source = "def later():\n    from leakstop.cli.confirm import terminal_confirm\n"
    assert cli_imports(ast.parse(source)) == [
        "leakstop.cli.confirm",
        "leakstop.cli.confirm.terminal_confirm",
    ]


def test_ui_check_catches_imports_and_prompts() -> None:
    source = """
import click
from rich.console import Console
import getpass

def ask():
    return input("key? ") or getpass.getpass()
"""
    assert len(list(ui_uses(ast.parse(source)))) == 5


# -- (c) thin commands ------------------------------------------------------------------------
def is_command(function: ast.FunctionDef) -> bool:
    return any(
        ".command" in ast.unparse(d) or ".group" in ast.unparse(d) for d in function.decorator_list
    )


def commands(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and is_command(node):
            yield node


def command_lines(function: ast.FunctionDef) -> int:
    """From the first decorator to the last line."""
    first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    assert function.end_lineno is not None
    return function.end_lineno - first + 1


def core_origins(tree: ast.Module, function: ast.FunctionDef) -> dict[str, str]:
    """Local name -> dotted origin, for names imported (at module level or in the command)
    from leakstop outside leakstop.cli."""
    origins: dict[str, str] = {}
    for node in [*tree.body, *ast.walk(function)]:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                origins[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                origins[alias.asname or alias.name.split(".")[0]] = alias.name
    return {
        name: origin
        for name, origin in origins.items()
        if origin.startswith("leakstop.") and not origin.startswith("leakstop.cli.")
    }


def thickness(tree: ast.Module, function: ast.FunctionDef) -> list[str]:
    """Why a command is not thin: too long, a loop (orchestration), or more than one call
    of a core function (building a request object does not count)."""
    problems = []
    if command_lines(function) > MAX_COMMAND_LINES:
        problems.append(f"{command_lines(function)} lines")
    origins = core_origins(tree, function)
    calls = []
    for node in ast.walk(function):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            problems.append(f"a loop at line {node.lineno}")
        if not isinstance(node, ast.Call):
            continue
        callee = ast.unparse(node.func)
        if callee.split(".")[0] in origins and not callee.rsplit(".", 1)[-1][:1].isupper():
            calls.append(callee)
    if len(calls) > 1:
        problems.append(f"calls {', '.join(calls)}")
    return problems


def cli_commands() -> list[tuple[Path, str]]:
    return [(path, function.name) for path in modules("cli") for function in commands(parse(path))]


@pytest.mark.parametrize(("path", "name"), cli_commands(), ids=[name for _, name in cli_commands()])
def test_each_command_parses_options_and_calls_one_function(path: Path, name: str) -> None:
    tree = parse(path)
    function = next(f for f in commands(tree) if f.name == name)
    assert thickness(tree, function) == []


def test_every_command_is_checked() -> None:
    """Each command the group offers is a decorated function in cli/ the check sees."""
    import click

    from leakstop.cli.group import cli

    context = click.Context(cli)
    offered = {cli.get_command(context, name) for name in cli.list_commands(context)}
    callbacks = {getattr(command.callback, "__name__", None) for command in offered if command}
    found = {name for _, name in cli_commands()}
    assert len(callbacks) >= 10 and callbacks <= found
    assert "cli" in found  # the group itself


def test_thickness_check_catches_a_fat_command() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(40))
    source = f"""
import click
from leakstop.sweep import run, report
from leakstop.cli.options import write_report

@click.command("fat")
@click.option("--n")
def fat_command(n):
    swept = run.sweep(n)
    for repo in swept:
        write_report(repo, None)
    report.build(swept)
{body}
"""
    tree = ast.parse(source)
    (function,) = commands(tree)
    assert thickness(tree, function) == [
        "47 lines",
        "a loop at line 10",
        "calls run.sweep, report.build",
    ]


# -- (d) one module starts git ----------------------------------------------------------------
PROCESS_STARTERS = {
    "subprocess": {"run", "Popen", "call", "check_call", "check_output", "getoutput"},
    "os": {"system", "popen", "posix_spawn", "posix_spawnp", "fork", "forkpty"},
    "asyncio": {"create_subprocess_exec", "create_subprocess_shell"},
    "pty": {"spawn"},
}


def starts_processes(tree: ast.Module) -> bool:
    starters = {f"{module}.{name}" for module, names in PROCESS_STARTERS.items() for name in names}
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in PROCESS_STARTERS
        for alias in node.names
        if alias.name in PROCESS_STARTERS[node.module]
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = ast.unparse(node.func)
            if callee in starters or callee in imported:
                return True
            if callee.startswith(("os.exec", "os.spawn")):
                return True
    return False


def names_git(tree: ast.Module) -> bool:
    """A string that is the git program: "git", "/usr/bin/git", "git log ..."."""
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.split(" ", 1)[0].rsplit("/", 1)[-1] == "git"
        for node in ast.walk(tree)
    )


def imports_gitpython(tree: ast.Module) -> bool:
    """GitPython (`import git`) starts git processes of its own."""
    return any(
        (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "git" for a in node.names))
        or (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "git")
        for node in ast.walk(tree)
    )


def starts_git(tree: ast.Module) -> bool:
    return (starts_processes(tree) and names_git(tree)) or imports_gitpython(tree)


def test_no_module_but_the_git_module_starts_git() -> None:
    """Only leakstop/git.py may start a process whose program is git (or use a library
    that does), so its protections (docs/security.md) cannot be bypassed."""
    offenders = [
        dotted(path) for path in modules() if path != GIT_MODULE and starts_git(parse(path))
    ]
    assert offenders == []
    assert starts_git(parse(GIT_MODULE))  # the check recognises the one module that does


@pytest.mark.parametrize(
    "source",
    [
        'import subprocess\nsubprocess.run(["git", "status"])',
        'from subprocess import Popen as P\nP(["/usr/bin/git", "log"])',
        'import os\nos.system("git log -p")',
        'import os\nos.execvp("git", ["git"])',
        "import git\ngit.Repo('.')",
        "from git import Repo",
    ],
)
def test_git_start_check_catches_each_way(source: str) -> None:
    assert starts_git(ast.parse(source))


def test_git_start_check_lets_other_programs_and_the_git_module_be() -> None:
    assert not starts_git(ast.parse('import subprocess\nsubprocess.run(["sh", "-c", cmd])'))
    assert not starts_git(ast.parse('from leakstop import git\ngit.run(["status"], root)'))
    assert not starts_git(ast.parse('SCHEMES = {"git", "ssh"}\nimport shutil\nshutil.which("x")'))


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, lazy imports included (a function-level
    import still ties two modules: each needs the other to be understood)."""
    known = {dotted(path) for path in modules()}
    graph: dict[str, set[str]] = {}
    for path in modules():
        this = dotted(path)
        graph[this] = {
            name for name in imports_of(parse(path)) if name in known and name != this
        } - {"leakstop"}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other in a loop (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_modules_import_each_other_in_a_loop() -> None:
    """Imports point one way (cli -> cores -> sources/detect/rotation -> records -> leaves),
    so each module can be read knowing only what it imports."""
    assert circles(import_graph()) == []


def test_the_loop_check_finds_a_loop_at_any_length() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert circles(graph) == [["a", "b", "c"]]


# -- (f) typed records ------------------------------------------------------------------------
RECORD_MODULES = (
    "outcomes.py",
    "findings.py",
    "report/records.py",
    "report/reader.py",
    "rotation/records.py",
    "sweep/state.py",
    "sweep/run.py",
    "sweep/report.py",
)
"""Where findings, verdicts, rotation outcomes and report records are defined or carried."""


def uses_any(tree: ast.Module) -> list[int]:
    """The lines that name `typing.Any` (as `Any` or `typing.Any`, in code or in a string
    annotation)."""
    lines: list[int] = []
    for node in ast.walk(tree):
        named = (
            (isinstance(node, ast.Name) and node.id == "Any")
            or (isinstance(node, ast.Attribute) and node.attr == "Any")
            or (isinstance(node, ast.alias) and node.name == "Any")
        )
        if named:
            lines.append(getattr(node, "lineno", 0))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:  # a string annotation (prose does not parse as an expression)
                inner = ast.parse(node.value.strip(), mode="eval")
            except SyntaxError:
                continue
            if any(isinstance(n, ast.Name) and n.id == "Any" for n in ast.walk(inner)):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("name", RECORD_MODULES)
def test_the_records_are_typed_without_any(name: str) -> None:
    path = PACKAGE / name
    assert uses_any(parse(path)) == [], f"{name} types a record with Any"


def test_any_check_catches_each_form() -> None:
    for source in (
        "from typing import Any\n",
        "import typing\nx: typing.Any = 1\n",
        "x: 'Any' = 1\n",
        "x: 'dict[str, Any]' = {}\n",
        "def f(x: Any) -> None: ...\n",
    ):
        assert uses_any(ast.parse(source)), source
    assert uses_any(ast.parse("x = 'Anyone may read this'\n")) == []


# -- (g) the tests mirror the package ---------------------------------------------------------
TESTS = Path(__file__).parent
NOT_PACKAGES = {"hooks": "the repository's hooks/ scripts and the pre-commit/CI integrations"}
"""Test folders that mirror something outside leakstop/, and what."""


def package_folders(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}


def test_the_test_tree_mirrors_the_package() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    folders = package_folders(TESTS)
    assert folders - packages - set(NOT_PACKAGES) == set(), "a test folder with no package"
    assert packages - folders == set(), "a package without its test folder"
