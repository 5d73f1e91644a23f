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
