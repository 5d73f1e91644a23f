"""The documentation points only at things a fresh clone has: relative links and file names
resolve, no path from a developer's machine, and scripts/test says what it installs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.testing import PROJECT

DOCS = sorted([PROJECT / "README.md", *(PROJECT / "docs").glob("*.md")])
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
_CODE = re.compile(r"`([^`\s]+)`")
# A name that reads as a file of this repository (a directory prefix it has, or a .md file).
_REPO_PATH = re.compile(r"^(?:docs|hooks|scripts|benchmarks|tests|leakstop)/[\w./-]*$|^[\w-]+\.md$")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_links_and_file_names_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for target in _LINK.findall(text):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
    for name in _CODE.findall(text):
        if _REPO_PATH.match(name) and "*" not in name and "…" not in name:
            here, root = doc.parent / name, PROJECT / name
            assert here.exists() or root.exists(), f"{doc.name} names missing {name}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_paths_from_a_developers_machine(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for pattern in (r"/work/", r"/home/\w", r"/Users/\w", r"\bseeds/", r"\bDESIGN\.md\b"):
        assert not re.search(pattern, text), f"{doc.name} mentions {pattern}"


def test_scripts_test_says_so_before_installing_system_packages() -> None:
    script = (PROJECT / "scripts" / "test").read_text(encoding="utf-8")
    announce = script.index('echo "scripts/test: installing the system package chromium')
    assert announce < script.index("apt-get update") < script.index("apt-get install")
    assert "LEAKSTOP_NO_SYSTEM_PACKAGES" in script
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "LEAKSTOP_NO_SYSTEM_PACKAGES=1" in readme and "chromium" in readme


def _design_section(title: str) -> str:
    text = (PROJECT / "docs" / "design.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}")
    return text[start : text.index("\n## ", start + 1)]


def test_the_design_tree_names_every_package_and_top_level_module() -> None:
    tree = _design_section("Layout")
    package = PROJECT / "leakstop"
    parts = [p.name + "/" for p in package.iterdir() if (p / "__init__.py").exists()]
    parts += [p.name for p in package.glob("*.py") if not p.name.startswith("__")]
    missing = [part for part in parts if not re.search(rf"(?<![\w/]){re.escape(part)}", tree)]
    assert not missing, f"docs/design.md's Layout does not draw {missing}"


_NOT_CODE = {"core"}  # git settings (`core.worktree`), not modules
_DOTTED = re.compile(r"`((?:[a-z_]+/)*[a-z_]+)\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?:\(|`)")


def test_the_data_paths_name_only_what_the_code_has() -> None:
    """`module.name` (and `package/module.name`) in the data paths resolve to real code."""
    import importlib

    paths = _design_section("Packages, the direction of imports, and the three main data paths")
    named = set(_DOTTED.findall(paths))
    assert len(named) > 20  # the pattern still reads the note
    wrong = []
    for module, attribute in sorted(named):
        if attribute in {"py", "json", "jsonl"} or module in _NOT_CODE:
            continue
        found: object = importlib.import_module("leakstop." + module.replace("/", "."))
        for name in attribute.split("."):
            if not hasattr(found, name):
                wrong.append(f"{module}.{attribute}")
                break
            found = getattr(found, name)
    assert not wrong, f"docs/design.md names code that does not exist: {wrong}"


def test_every_environment_variable_leakstop_reads_is_in_the_design_table() -> None:
    """The code's `LEAKSTOP_*` names and each provider's URL variable, against the table."""
    from leakstop.providers import all_providers

    design = (PROJECT / "docs" / "design.md").read_text(encoding="utf-8")
    start = design.index("### Environment variables")
    table = design[start : design.index("\n## ", start)]
    named = set(re.findall(r"`(LEAKSTOP_[A-Z_]+)`", table))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT / "leakstop").rglob("*.py"))
    used = set(re.findall(r"\bLEAKSTOP_[A-Z][A-Z_]*[A-Z]\b", source))
    used |= {provider.env_url_var for provider in all_providers()}
    assert used - named == set(), "read by the code, missing from docs/design.md"
    assert named - used == set(), "in the table, read nowhere"
