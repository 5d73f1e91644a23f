"""Dependencies are honest: every declared runtime dependency is imported by the package, and
every third-party module the package imports is declared."""

from __future__ import annotations

import ast
import re
import sys

import tomllib

from tests.testing import PROJECT

# Distribution name -> the module it provides, where the two differ.
_MODULE = {"detect-secrets": "detect_secrets", "pyyaml": "yaml"}


def _declared() -> dict[str, str]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [
        re.split(r"[<>=;\[ ]", spec, maxsplit=1)[0].lower() for spec in project["dependencies"]
    ]
    return {_MODULE.get(name, name.replace("-", "_")): name for name in names}


def _imported() -> set[str]:
    found: set[str] = set()
    for source in (PROJECT / "leakstop").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_declared_dependency_is_imported() -> None:
    imported = _imported()
    unused = {name for module, name in _declared().items() if module not in imported}
    assert unused == set()


def test_every_third_party_import_is_declared() -> None:
    optional = {"dask", "distributed"}  # the `dask` extra, imported lazily by sweeps
    third_party = {
        m for m in _imported() if m not in sys.stdlib_module_names and m not in ("leakstop",)
    }
    assert third_party - set(_declared()) - optional == set()
