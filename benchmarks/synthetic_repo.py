"""Generate a large, realistic git history for the history benchmark, with `git fast-import`.

    python benchmarks/synthetic_repo.py 20000 [--seed N] [--dest DIR]

The history looks like a busy project's: a `main` line that takes direct commits and merges of
short feature branches (some left unmerged), release branches that get fixes of their own,
annotated and lightweight tags, and a tree that grows from a few dozen to a few thousand
files in eight languages, of varied sizes. Commits insert, change and delete lines; files are
added, renamed (with small edits, so git sees renames), deleted; binary assets come and go;
now and then a lock file is regenerated, a minified bundle rebuilt or a vendored library
dropped in, which makes the heavy tail of diff sizes real projects have. Some merges resolve a
"conflict" with a line of their own, so combined diffs (`--cc`) show something.

Keys of every family of the four providers are planted in some commits (on `main`, on
feature branches that get merged and on ones that never are, on release branches) and most of
them are deleted again later. Every key is made while the repository is generated, from its
prefix and a seeded random body: no file of the leakstop repository holds a key-shaped
literal. Look-alikes that must not be reported are planted too. The manifest written beside
the repository (`manifest.json`) lists the SHA-1 of every planted key, never a key.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import string
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402  (a sibling module: the filler generators)

# Bump when the generated history changes, so cached repositories are rebuilt.
GENERATOR_VERSION = 1
CACHE = HERE / ".cache" / "history"
START = 1_514_764_800  # 2018-01-01T00:00:00Z

_ALNUM = string.ascii_letters + string.digits
_AUTHORS = [
    ("Ada Moreau", "ada@example.org"),
    ("Bilal Haddad", "bilal@example.org"),
    ("Chen Wei", "chen.wei@example.org"),
    ("Dana Kowalski", "dana@example.org"),
    ("Emeka Obi", "emeka@example.org"),
    ("Freya Lind", "freya@example.org"),
    ("Gustavo Reis", "greis@example.org"),
    ("Hana Sato", "hana.sato@example.org"),
    ("Ines Duarte", "ines@example.org"),
    ("Jonas Weber", "jonas@example.org"),
    ("Kavya Rao", "kavya@example.org"),
    ("Liam Byrne", "liam@example.org"),
]
_TOPICS = [*corpus._WORDS, "auth", "cache", "billing", "search", "export", "import", "queue"]


# ---------------------------------------------------------------------------------------------
# Languages: where files of each live, how their filler looks, how a key is written in them.


@dataclass(frozen=True)
class Language:
    name: str
    weight: float
    dirs: tuple[str, ...]
    suffixes: tuple[str, ...]
    blocks: Callable[[random.Random], Iterator[list[str]]]
    assign: Callable[[str, str], str]
    """A line that sets variable NAME (upper snake case) to VALUE in this language."""
    executable: bool = False


def _camel(name: str) -> str:
    first, *rest = name.lower().split("_")
    return first + "".join(part.capitalize() for part in rest)


LANGUAGES = (
    Language(
        "python",
        0.30,
        ("src/app", "src/app/api", "src/app/models", "src/worker", "tests", "tools"),
        (".py",),
        corpus._python_blocks,
        lambda name, value: f'{name} = "{value}"',
    ),
    Language(
        "typescript",
        0.20,
        ("web/src", "web/src/components", "web/src/api", "web/src/store", "web/test"),
        (".ts", ".tsx"),
        corpus._ts_blocks,
        lambda name, value: f'export const {name} = "{value}";',
    ),
    Language(
        "go",
        0.15,
        ("internal/ingest", "internal/store", "internal/rpc", "cmd/server", "pkg/client"),
        (".go",),
        corpus._go_blocks,
        lambda name, value: f'\t{_camel(name)} = "{value}"',
    ),
    Language(
        "yaml",
        0.10,
        ("deploy/staging", "deploy/production", "deploy/charts", ".github/workflows"),
        (".yaml", ".yml"),
        corpus._yaml_blocks,
        lambda name, value: f'  {name.lower()}: "{value}"',
    ),
    Language(
        "json",
        0.07,
        ("config", "web/public", "fixtures"),
        (".json",),
        corpus._json_blocks,
        lambda name, value: f'      "{_camel(name)}": "{value}",',
    ),
    Language(
        "markdown",
        0.10,
        ("docs", "docs/guides", "docs/adr"),
        (".md",),
        corpus._markdown_blocks,
        lambda name, value: f"    export {name}={value}",
    ),
    Language(
        "shell",
        0.05,
        ("scripts", "deploy/bin"),
        (".sh",),
        corpus._shell_blocks,
        lambda name, value: f'export {name}="{value}"',
        executable=True,
    ),
    Language(
        "dotenv",
        0.03,
        ("config/env", "deploy/env"),
        (".env",),
        corpus._env_blocks,
        lambda name, value: f"{name}={value}",
    ),
)

# Every key family of the four providers: the variable a key is assigned to (it carries the
# context the prefix-less and shared-prefix families need) and how its body is made.
FAMILIES: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "electronhub": ("ELECTRONHUB_API_KEY", lambda r: "ek-" + _body(r, 32)),
    "electronhub-proxy": ("LLM_PROXY_KEY", lambda r: "ek-proxy-" + _body(r, 24)),
    "electronhub-dev": ("ELECTRONHUB_DEV_KEY", lambda r: "ek-dev-" + _body(r, 40)),
    "syncline-user": ("SYNC_USER_KEY", lambda r: "sk_user_" + _body(r, 32)),
    "syncline-platform": ("SYNCLINE_PLATFORM_KEY", lambda r: "sk_live_" + _body(r, 32)),
    "scrapebit-live": ("SCRAPEBIT_KEY", lambda r: "sb_live_" + _body(r, 32)),
    "scrapebit-test": ("SCRAPEBIT_TEST_KEY", lambda r: "sb_test_" + _body(r, 32)),
    "ecgrid": ("ECGRID_API_KEY", lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4))),
}

# Must not be reported: placeholders, a Stripe key (no Syncline context), a GUID under a key
# word with no ECGrid context.
LOOKALIKES: tuple[tuple[str, Callable[[random.Random], str]], ...] = (
    ("ELECTRONHUB_API_KEY", lambda r: "ek-" + "x" * 32),
    ("SCRAPEBIT_KEY", lambda r: "sb_live_" + "0123456789abcdef" * 2),
    ("SYNC_USER_KEY", lambda r: "sk_user_your_key_here"),
    ("STRIPE_SECRET_KEY", lambda r: "sk_live_" + _body(r, 24)),
    ("SESSION_KEY", lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4))),
)


def _body(rng: random.Random, n: int) -> str:
    while True:
        value = "".join(rng.choice(_ALNUM) for _ in range(n))
        if not corpus._is_placeholder(value):
            return value


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# The model: files, branches, planted keys.


@dataclass
class File:
    lang: Language | None  # None: binary or generated
    lines: list[str] | None = None
    data: bytes | None = None
    """Set instead of lines for binary files and one-line minified bundles."""
    mark: int = 0
    """fast-import mark of the blob holding this content (0: not written yet)."""

    def content(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.lines is not None
        return ("\n".join(self.lines) + "\n").encode()


@dataclass
class Branch:
    name: str
    files: dict[str, File]
    tip: int = 0  # mark of the last commit
    kind: str = "main"  # main, feature, release
    base_index: int = 0
    planned: int = 0
    made: int = 0
    changed: set[str] = field(default_factory=set)
    """Paths a feature branch changed (content or deletion) since it left main."""
    deleted: set[str] = field(default_factory=set)


@dataclass
class Plant:
    key: str
    family: str
    branch: str
    index: int
    remove_at: int
    path: str = ""
    """Where it was planted, updated if the file moves; "" once it cannot be found."""
    removed: bool = False
    lookalike: bool = False


@dataclass
class Stats:
    commits: int = 0
    merges: int = 0
    tags: int = 0
    renames: int = 0
    binaries: int = 0
    big_changes: int = 0
    branches: int = 0


class Generator:
    def __init__(self, commits: int, seed: int, sink: Callable[[bytes], object]) -> None:
        self.target = commits
        self.rng = random.Random(seed)
        self.write = sink
        self.mark = 0
        self.clock = START
        self.stats = Stats()
        self.plants: list[Plant] = []
        self.locked: dict[str, str] = {}  # path -> the feature branch that changes it
        self.main_changed: dict[str, int] = {}  # path -> when main last changed it
        self.dead_refs: list[str] = []
        self.gens = {lang.name: lang.blocks(random.Random(self.rng.random())) for lang in LANGUAGES}
        self.main = Branch("main", {})
        self.features: list[Branch] = []
        self.releases: list[Branch] = []
        self.version = [1, 0, 0]
        self.serial = 0
        # When each key is planted: spread over the history, every family several times.
        slots = sorted(self.rng.sample(range(50, max(commits - 50, 60)), min(commits // 10, 48)))
        names = list(FAMILIES)
        self.key_slots = [(slot, names[i % len(names)]) for i, slot in enumerate(slots)]
        look = sorted(self.rng.sample(range(20, max(commits - 20, 30)), min(commits // 50, 15)))
        self.lookalike_slots = look

    # -- output ----------------------------------------------------------------------------
    def _next_mark(self) -> int:
        self.mark += 1
        return self.mark

    def _data(self, payload: bytes) -> None:
        self.write(b"data %d\n" % len(payload) + payload + b"\n")

    def _blob(self, file: File) -> int:
        if not file.mark:
            file.mark = self._next_mark()
            self.write(b"blob\nmark :%d\n" % file.mark)
            self._data(file.content())
        return file.mark

    def _ident(self) -> bytes:
        name, email = self.rng.choice(_AUTHORS)
        return f"{name} <{email}> {self.clock} +0000".encode()

    def _commit(
        self,
        branch: Branch,
        message: str,
        changes: dict[str, File | None],
        merge: int = 0,
    ) -> None:
        """One commit on `branch`; `changes` maps a path to new content, or None to delete it."""
        self.clock += int(self.rng.expovariate(1 / 5400)) + 30
        for file in changes.values():
            if file is not None:
                self._blob(file)
        mark = self._next_mark()
        ident = self._ident()
        out = [b"commit refs/heads/%s\nmark :%d\n" % (branch.name.encode(), mark)]
        out.append(b"author " + ident + b"\ncommitter " + ident + b"\n")
        self.write(b"".join(out))
        self._data(message.encode())
        lines = []
        if branch.tip:
            lines.append(b"from :%d\n" % branch.tip)
        if merge:
            lines.append(b"merge :%d\n" % merge)
        for path, file in sorted(changes.items(), key=lambda kv: kv[1] is not None):
            if file is None:
                lines.append(b"D %s\n" % path.encode())
            else:
                mode = b"100755" if file.lang and file.lang.executable else b"100644"
                lines.append(b"M %s :%d %s\n" % (mode, file.mark, path.encode()))
        self.write(b"".join(lines) + b"\n")
        branch.tip = mark
        for path, file in changes.items():
            if file is None:
                branch.files.pop(path, None)
            else:
                branch.files[path] = file
            if branch.kind == "main":
                self.main_changed[path] = self.stats.commits
        self.stats.commits += 1

    # -- content ---------------------------------------------------------------------------
    def _lines(self, lang: Language, count: int) -> list[str]:
        out: list[str] = []
        gen = self.gens[lang.name]
        while len(out) < count:
            out.extend(next(gen))
        return out

    def _new_path(self, lang: Language) -> str:
        self.serial += 1
        topic = f"{self.rng.choice(_TOPICS)}_{self.rng.choice(_TOPICS)}"
        if lang.name in ("typescript", "go"):
            topic = _camel(topic)
        directory = self.rng.choice(lang.dirs)
        if self.rng.random() < 0.3:
            directory += "/" + self.rng.choice(_TOPICS)
        return f"{directory}/{topic}{self.serial}{self.rng.choice(lang.suffixes)}"

    def _new_file(self, lang: Language | None = None) -> tuple[str, File]:
        if lang is None:
            lang = self.rng.choices(LANGUAGES, [x.weight for x in LANGUAGES])[0]
        size = int(min(4000, max(8, self.rng.lognormvariate(4.6, 0.9))))
        return self._new_path(lang), File(lang, self._lines(lang, size))

    def _edit(self, file: File) -> File:
        assert file.lang is not None and file.lines is not None
        lines = list(file.lines)
        for _ in range(1 + (self.rng.random() < 0.45) + (self.rng.random() < 0.2)):
            op = self.rng.random()
            if op < 0.5 or len(lines) < 30:
                at = self.rng.randrange(len(lines) + 1)
                lines[at:at] = self._lines(file.lang, self.rng.choice((2, 4, 8, 12, 24, 40)))
            elif op < 0.82:
                fresh = self._lines(file.lang, 6)
                for _ in range(self.rng.randint(1, 6)):
                    lines[self.rng.randrange(len(lines))] = self.rng.choice(fresh)
            else:
                at = self.rng.randrange(len(lines))
                del lines[at : at + self.rng.randint(1, 20)]
        if len(lines) > 5000:  # a file that grew too big gets split up (a large deletion)
            del lines[: len(lines) // 3]
        return File(file.lang, lines)

    def _binary(self) -> bytes:
        size = int(self.rng.uniform(1_500, 48_000))
        return b"\x89PNG\r\n\x1a\n" + self.rng.randbytes(size)

    def _minified(self) -> bytes:
        words = [self.rng.choice(corpus._WORDS) for _ in range(200)]
        parts = []
        for _ in range(int(self.rng.uniform(1_500, 4_500))):
            a, b = self.rng.choice(words), self.rng.choice(words)
            parts.append(f"function {a}_{b}(e,t){{return e.{a}!==t?{self.rng.randint(0, 999)}:t}}")
        return (";".join(parts) + "\n").encode()

    def _lockfile(self, old: File | None) -> File:
        if old is None or old.lines is None:
            lines = ["{", '  "name": "web",', '  "lockfileVersion": 3,', '  "packages": {']
            for i in range(int(self.rng.uniform(1_200, 2_000))):
                name = f"{self.rng.choice(corpus._WORDS)}-{self.rng.choice(corpus._WORDS)}-{i}"
                lines += [
                    f'    "node_modules/{name}": {{',
                    f'      "version": "{self.rng.randint(0, 9)}.{self.rng.randint(0, 40)}.0",',
                    f'      "integrity": "sha512-{self.rng.randbytes(48).hex()}",',
                    "    },",
                ]
            return File(None, [*lines, "  }", "}"])
        lines = list(old.lines)
        for i in range(len(lines)):
            if '"version"' in lines[i] and self.rng.random() < 0.15:
                lines[i] = (
                    f'      "version": "{self.rng.randint(0, 9)}.{self.rng.randint(0, 40)}.1",'
                )
                lines[i + 1] = f'      "integrity": "sha512-{self.rng.randbytes(48).hex()}",'
        return File(None, lines)

    # -- one step of history ---------------------------------------------------------------
    def _free(self, branch: Branch, path: str) -> bool:
        """May `branch` change `path` without a conflict at some later merge?"""
        if branch.kind == "release":
            return True
        owner = self.locked.get(path)
        if owner is not None and owner != branch.name:
            return False
        # A feature branch leaves alone what main changed since it forked: its version of
        # such a file is then what a three-way merge would make of it.
        return branch.kind != "feature" or self.main_changed.get(path, -1) < branch.base_index

    def _touch(self, branch: Branch, path: str) -> None:
        if branch.kind == "feature":
            self.locked[path] = branch.name
            branch.changed.add(path)

    def _regular_commit(self, branch: Branch, index: int) -> None:
        rng = self.rng
        changes: dict[str, File | None] = {}
        text_paths = [p for p, f in branch.files.items() if f.lang is not None]
        words: list[str] = []
        # Most commits touch a few files, now and then many.
        count = rng.choice((1, 1, 1, 2, 2, 3, 4)) if rng.random() > 0.04 else rng.randint(6, 25)
        # Locality: recent files are edited more often (the end of the list is the newest).
        for _ in range(count):
            if not text_paths:
                break
            pick = text_paths[min(len(text_paths) - 1, int(rng.paretovariate(1.2)) - 1)]
            if rng.random() < 0.6:
                pick = text_paths[-1 - min(len(text_paths) - 1, int(rng.expovariate(1 / 40)))]
            if not self._free(branch, pick) or pick in changes:
                continue
            old = changes.get(pick) or branch.files[pick]
            changes[pick] = self._edit(old)
            words.append(Path(pick).stem)
        roll = rng.random()
        if roll < 0.05 or len(branch.files) < 40:
            path, file = self._new_file()
            changes[path] = file
            words.append("add " + Path(path).stem)
        elif roll < 0.058 and text_paths:
            old_path = rng.choice(text_paths)
            if self._free(branch, old_path) and old_path not in changes:
                lang = branch.files[old_path].lang
                assert lang is not None
                new_path = self._new_path(lang)
                moved = branch.files[old_path]
                if rng.random() < 0.5:
                    moved = self._edit(moved)
                changes[old_path] = None
                changes[new_path] = moved
                self._touch(branch, old_path)
                self.stats.renames += 1
                words.append(f"move {Path(old_path).stem}")
        elif roll < 0.062 and len(text_paths) > 60:
            path = rng.choice(text_paths)
            if self._free(branch, path) and path not in changes:
                changes[path] = None
                words.append(f"drop {Path(path).stem}")
        elif roll < 0.072:
            assets = [p for p, f in branch.files.items() if f.lang is None and p.endswith(".png")]
            path = (
                rng.choice(assets)
                if assets and rng.random() < 0.4
                else (f"web/public/img/{rng.choice(_TOPICS)}-{self.serial}.png")
            )
            self.serial += 1
            if self._free(branch, path):
                changes[path] = File(None, data=self._binary())
                self.stats.binaries += 1
                words.append("update images")
        if branch.kind == "main":
            self._heavy_changes(branch, index, changes, words)
        self._keys(branch, index, changes, words)
        if not changes:
            path, file = self._new_file()
            changes[path] = file
        for path in changes:
            self._touch(branch, path)
        verb = rng.choice(("Fix", "Add", "Refactor", "Update", "Tidy", "Speed up", "Test"))
        subject = f"{verb} {', '.join(words[:3]) or 'things'}"
        body = "" if rng.random() < 0.6 else "\n\n" + corpus._sentence(rng, 18) + ".\n"
        self._commit(branch, subject + body, changes)

    def _heavy_changes(
        self, branch: Branch, index: int, changes: dict[str, File | None], words: list[str]
    ) -> None:
        """The heavy tail: lock file regenerations, minified bundles, vendored libraries."""
        rng = self.rng
        lock = "web/package-lock.json"
        if self._free(branch, lock) and rng.random() < 1 / 150:
            changes[lock] = self._lockfile(branch.files.get(lock))
            words.append("bump dependencies")
            self.stats.big_changes += 1
        bundle = "web/dist/app.min.js"
        if self._free(branch, bundle) and rng.random() < 1 / 500:
            changes[bundle] = File(None, data=self._minified())
            words.append("rebuild bundle")
            self.stats.big_changes += 1
        if rng.random() < 1 / 2500 or index == self.target // 3:
            vendor = f"third_party/{rng.choice(_TOPICS)}{self.serial}"
            self.serial += 1
            lang = rng.choice(LANGUAGES[:3])
            for _ in range(rng.randint(20, 60)):
                name = Path(self._new_path(lang)).name
                changes[f"{vendor}/{name}"] = File(
                    lang, self._lines(lang, int(rng.uniform(100, 900)))
                )
            words.append(f"vendor {vendor}")
            self.stats.big_changes += 1

    def _keys(
        self, branch: Branch, index: int, changes: dict[str, File | None], words: list[str]
    ) -> None:
        """Plant a key (or a look-alike) due at this step; delete keys whose time has come."""
        rng = self.rng
        due: list[tuple[str, bool]] = []
        while self.key_slots and self.key_slots[0][0] <= index:
            due.append((self.key_slots.pop(0)[1], False))
        while self.lookalike_slots and self.lookalike_slots[0] <= index:
            self.lookalike_slots.pop(0)
            due.append(("lookalike", True))
        for plant_family, is_lookalike in due:
            if is_lookalike:
                name, make = rng.choice(LOOKALIKES)
            else:
                name, make = FAMILIES[plant_family]
            key = make(rng)
            candidates = [
                p
                for p, f in changes.items()
                # only content not written yet: a written one may be shared with other branches
                if f is not None and f.lang is not None and f.lines is not None and not f.mark
            ]
            if candidates:
                path = rng.choice(candidates)
                file = changes[path]
            else:
                path, file = self._new_file(rng.choice(LANGUAGES[:6]))
                changes[path] = file
            assert file is not None and file.lang is not None and file.lines is not None
            at = rng.randrange(len(file.lines) + 1)
            file.lines[at:at] = [file.lang.assign(name, key)]
            delay = int(rng.expovariate(1 / 400)) + 1 if rng.random() < 0.8 else 10**9
            self.plants.append(
                Plant(
                    key,
                    plant_family,
                    branch.name,
                    index,
                    index + delay,
                    path,
                    lookalike=is_lookalike,
                )
            )
            words.append("configure " + name.split("_")[0].lower())
        for plant in self.plants:
            if plant.removed or not plant.path or plant.branch != branch.name:
                continue
            if plant.remove_at > index:
                continue
            if not self._holds(branch, changes, plant.path, plant.key):
                # Moved, or edited away: look once through the whole tree.
                plant.path = next(
                    (p for p in branch.files if self._holds(branch, changes, p, plant.key)), ""
                )
                if not plant.path:
                    continue
            file = changes.get(plant.path, branch.files[plant.path])
            if file is None or file.lines is None or not self._free(branch, plant.path):
                continue  # deleted in this very commit, or another branch is changing it
            changes[plant.path] = File(file.lang, [x for x in file.lines if plant.key not in x])
            plant.removed = True
            words.append("remove leaked key")

    @staticmethod
    def _holds(branch: Branch, changes: dict[str, File | None], path: str, key: str) -> bool:
        file = changes[path] if path in changes else branch.files.get(path)
        return file is not None and file.lines is not None and any(key in x for x in file.lines)

    def _merge(self, feature: Branch) -> None:
        changes: dict[str, File | None] = {}
        for path in feature.changed:
            changes[path] = feature.files.get(path)
        if self.rng.random() < 0.15:  # a conflict resolved by hand: the merge adds a line
            texts = [p for p, f in changes.items() if f is not None and f.lines is not None]
            if texts:
                path = self.rng.choice(texts)
                file = changes[path]
                assert file is not None and file.lines is not None and file.lang is not None
                resolved = list(file.lines)
                resolved.insert(self.rng.randrange(len(resolved) + 1), self._lines(file.lang, 1)[0])
                changes[path] = File(file.lang, resolved)
        message = f"Merge branch '{feature.name}'"
        self._commit(self.main, message, changes, merge=feature.tip)
        self.stats.merges += 1
        self._release(feature)
        for plant in self.plants:
            if plant.branch == feature.name:
                plant.branch = "main"

    def _release(self, feature: Branch) -> None:
        for path in feature.changed:
            if self.locked.get(path) == feature.name:
                del self.locked[path]
        self.features.remove(feature)

    def _tag(self) -> None:
        self.version[2] += 1
        if self.rng.random() < 0.25:
            self.version[1] += 1
            self.version[2] = 0
        name = "v" + ".".join(map(str, self.version))
        if self.rng.random() < 0.7:
            self.write(b"tag %s\nfrom :%d\ntagger " % (name.encode(), self.main.tip))
            self.write(self._ident() + b"\n")
            self._data(f"Release {name}\n".encode())
        else:
            self.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), self.main.tip))
        self.stats.tags += 1
        if self.version[2] == 0:  # a minor release gets a maintenance branch
            release = Branch(
                f"release/{self.version[0]}.{self.version[1]}",
                dict(self.main.files),
                self.main.tip,
                "release",
            )
            self.write(b"reset refs/heads/%s\nfrom :%d\n\n" % (release.name.encode(), release.tip))
            self.releases = [*self.releases[-3:], release]
            self.stats.branches += 1

    def run(self) -> None:
        rng = self.rng
        self.write(b"feature done\n")
        index = 0
        while self.stats.commits < self.target:
            index = self.stats.commits
            if len(self.main.files) < 40 or not self.main.tip:
                self._regular_commit(self.main, index)
                continue
            ready = [f for f in self.features if f.made >= f.planned]
            if ready and rng.random() < 0.6:
                feature = rng.choice(ready)
                if rng.random() < 0.08:  # abandoned: the branch stays, never merged
                    self._release(feature)
                else:
                    self._merge(feature)
                    self.dead_refs.append(feature.name)
                continue
            if len(self.features) < 5 and rng.random() < 0.12:
                self.serial += 1
                kind = rng.choice(("feature", "feature", "fix", "chore"))
                name = f"{kind}/{rng.choice(_TOPICS)}-{self.serial}"
                self.features.append(
                    Branch(
                        name,
                        dict(self.main.files),
                        self.main.tip,
                        "feature",
                        index,
                        rng.choice((1, 2, 3, 4, 6, 9, 15, 30)),
                    )
                )
                self.stats.branches += 1
                continue
            roll = rng.random()
            if roll < 0.45 and self.features:
                branch = rng.choice(self.features)
            elif roll < 0.5 and self.releases:
                branch = rng.choice(self.releases)
            else:
                branch = self.main
            self._regular_commit(branch, index)
            branch.made += 1
            if branch is self.main and rng.random() < 1 / 250:
                self._tag()
        self.write(b"done\n")


# ---------------------------------------------------------------------------------------------
# Building and caching.


@dataclass
class Repo:
    path: Path
    manifest: dict[str, object]

    @property
    def expected(self) -> set[str]:
        keys = self.manifest.get("keys", [])
        assert isinstance(keys, list)
        return {k["sha1"] for k in keys}


def cache_dir(commits: int, seed: int) -> Path:
    return CACHE / f"synthetic-c{commits}-s{seed}-v{GENERATOR_VERSION}"


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {proc.stderr.strip()[-400:]}")
    return proc.stdout


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


def build(
    commits: int, seed: int = 1, dest: Path | None = None, log: Callable[[str], None] = print
) -> Repo:
    """The synthetic repository for (commits, seed), from the cache or generated now."""
    final = dest or cache_dir(commits, seed)
    manifest_path = final / "manifest.json"
    if manifest_path.is_file():
        return Repo(final / "repo", json.loads(manifest_path.read_text(encoding="utf-8")))
    env = git_env()
    staging = final.with_name(final.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    repo = staging / "repo"
    repo.mkdir(parents=True)
    started = time.monotonic()
    log(f"generating a synthetic history of {commits} commits in {final} ...")
    _git("init", "-q", "--initial-branch=main", cwd=repo, env=env)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--active-branches=20"],
        cwd=repo,
        env=env,
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    generator = Generator(commits, seed, proc.stdin.write)
    try:
        generator.run()
    finally:
        proc.stdin.close()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.wait() != 0:
        raise RuntimeError(f"git fast-import failed: {stderr.strip()[-400:]}")
    generated = time.monotonic() - started
    # Merged feature branches are deleted, as on a real server (a few stale ones stay).
    doomed = [b for b in generator.dead_refs if generator.rng.random() < 0.9]
    if doomed:
        subprocess.run(
            ["git", "update-ref", "--stdin"],
            cwd=repo,
            env=env,
            input="".join(f"delete refs/heads/{b}\n" for b in doomed).encode(),
            check=True,
        )
    # Packed as a server packs it for a clone (fast-import's pack deltas poorly).
    _git("repack", "-a", "-d", "-f", "-q", "--window=10", "--depth=50", cwd=repo, env=env)
    _git("checkout", "-q", "-f", "main", cwd=repo, env=env)
    rev_count = int(_git("rev-list", "--all", "--count", cwd=repo, env=env))
    refs = _git("for-each-ref", "--format=%(refname)", cwd=repo, env=env).split()
    real = [p for p in generator.plants if not p.lookalike]
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "commits_requested": commits,
        "seed": seed,
        "commits": rev_count,
        "branches": sum(r.startswith("refs/heads/") for r in refs),
        "tags": sum(r.startswith("refs/tags/") for r in refs),
        "stats": generator.stats.__dict__,
        "files_at_head": len(generator.main.files),
        "keys": [
            {
                "family": p.family,
                "sha1": sha1(p.key),
                "branch": p.branch,
                "commit_index": p.index,
                "deleted_later": p.removed,
            }
            for p in real
        ],
        "lookalikes": sorted({sha1(p.key) for p in generator.plants if p.lookalike}),
        "generation_seconds": round(time.monotonic() - started, 1),
        "fast_import_seconds": round(generated, 1),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(final)
    log(
        f"  {rev_count} commits, {manifest['branches']} branches, {manifest['tags']} tags, "
        f"{len(real)} keys planted, in {manifest['generation_seconds']} s"
    )
    return Repo(final / "repo", manifest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("commits", type=int, help="how many commits to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dest", type=Path, help="build here instead of benchmarks/.cache")
    args = parser.parse_args(argv)
    repo = build(args.commits, args.seed, args.dest)
    print(repo.path)
    print(json.dumps({k: v for k, v in repo.manifest.items() if k != "keys"}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
