"""The corpus check: a real repository holding keys of every family in every place a user
puts them, plus every kind of look-alike, scanned with `--staged` and in files mode.

Every real key must be reported exactly once, at its file and line, under its rule; no decoy
may be reported; the exit code is 1; and no key appears in any output.

Files are written from templates in which `⟦K:rule-id⟧` becomes a fresh random key and
`⟦D:name⟧` a decoy, both made at run time: this file holds no key-shaped literal.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, new_key

_ALNUM = string.ascii_letters + string.digits


def _body(n: int) -> str:
    return new_key("scrapebit-api-key")[8:][:n] if n <= 32 else _body(32) + _body(n - 32)


def _guid() -> str:
    return str(uuid.uuid4())


def _sha1() -> str:
    return hashlib.sha1(secrets.token_bytes(16)).hexdigest()


# Decoys: each looks like a key to a careless scanner and must not be reported.
DECOYS: dict[str, Callable[[], str]] = {
    "guid": _guid,
    "GUID": lambda: _guid().upper(),
    "stripe": lambda: "sk_" + "live_" + _body(24),
    "stripe99": lambda: "sk_" + "live_" + _body(99),
    "seed-ek": lambda: "ek-" + "1234567890abcdef" * 2,
    "seed-guid": lambda: "-".join(("f9e8d7c6", "b5a4", "3210", "fedc", "ba9876543210")),
    "seed-sk-user": lambda: "sk_user_" + "new_abc123xyz789",  # the seed shows it with "..."
    "seed-sb": lambda: "sb_" + "live_" + "x" * 32,
    "ek-x": lambda: "ek-" + "x" * 32,
    "ek-0": lambda: "ek-" + "0" * 32,
    "sb-test-a": lambda: "sb_" + "test_" + "a" * 32,
    "sk-user-your": lambda: "sk_user_" + "your_key_here",
    "sk-user-your-long": lambda: "sk_user_" + "your_syncline_user_key_here",
    "sk-user-name": lambda: "sk_user_" + "SYNCLINE_USER_KEY",
    "sk-live-angle": lambda: "<sk_" + "live_" + "SYNCLINE_PLATFORM_KEY>",
    "ek-angle": lambda: "<your-electronhub-key>",
    "ek-dollar": lambda: "ek-" + "${ELECTRONHUB_KEY}",
    "sb-braces": lambda: "sb_" + "live_" + "{{ scrapebit_key }}",
    "sk-user-braces": lambda: "{{ sk_user_" + "SYNCLINE_KEY_GOES_HERE }}",
    "ek-underscore": lambda: "ek_" + _body(32),
    "sb-prod": lambda: "sb_" + "prod_" + _body(32),
    "sk-test": lambda: "sk_" + "test_" + _body(32),
    "ek-31": lambda: "ek-" + _body(31),
    "ek-33": lambda: "ek-" + _body(33),
    "sb-31": lambda: "sb_" + "live_" + _body(31),
    "sb-33": lambda: "sb_" + "live_" + _body(33),
    "ek-sha1": lambda: "ek-" + _sha1(),
    "myek": lambda: "myek-" + _body(32),
    "xsb": lambda: "xsb_" + "live_" + _body(32),
    "task-user": lambda: "task_user_" + _body(32),
    "sha1": _sha1,
    "sha256": lambda: hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
}

FILES: dict[str, str] = {
    # -- dotenv, YAML, JSON, TOML ------------------------------------------------------------
    ".env": """\
# ElectronHub
ELECTRONHUB_API_KEY=⟦K:electronhub-api-key⟧
ELECTRONHUB_PROXY_KEY=⟦K:electronhub-proxy-key⟧
SCRAPEBIT_API_KEY="⟦K:scrapebit-api-key⟧"
SYNCLINE_USER_KEY='⟦K:syncline-user-key⟧'
SYNCLINE_PLATFORM_KEY=⟦K:syncline-platform-key⟧
STRIPE_SECRET_KEY=⟦D:stripe⟧
ECGRID_API_KEY=⟦K:ecgrid-api-key⟧
ECGrid__ApiKey=⟦K:ecgrid-api-key⟧
EMPTY=
TEMPLATE=${SCRAPEBIT_API_KEY}
""",
    "config/settings.yaml": """\
electronhub:
  api_key: ⟦K:electronhub-api-key⟧
  dev_key: "⟦K:electronhub-dev-key⟧"
syncline:
  platform_key: ⟦K:syncline-platform-key⟧
  user_key: ⟦K:syncline-user-key⟧
ecgrid:
  base_url: https://rest.ecgrid.io
  api_key: ⟦K:ecgrid-api-key⟧
  mailbox_id: ⟦D:guid⟧
scrapebit:
  key: ⟦D:seed-sb⟧
  test_key: ⟦K:scrapebit-test-key⟧
""",
    "config/app.json": """\
{
  "scrapebit": {"apiKey": "⟦K:scrapebit-test-key⟧"},
  "electronhub": {"key": "⟦K:electronhub-api-key⟧", "example": "⟦D:seed-ek⟧"},
  "build": {"sha": "⟦D:sha1⟧", "digest": "⟦D:sha256⟧", "id": "⟦D:guid⟧"}
}
""",
    "config/app.toml": """\
[syncline]
base_url = "https://api.syncline.run"
platform_key = "⟦K:syncline-platform-key⟧"

[scrapebit]
api_key = "⟦K:scrapebit-api-key⟧"
""",
    # -- source code ---------------------------------------------------------------------------
    "src/client.py": """\
import os

ELECTRONHUB = "⟦K:electronhub-api-key⟧"
HEADERS = {"Authorization": f"Bearer ⟦K:scrapebit-api-key⟧"}
SYNCLINE_USER = "⟦K:syncline-user-key⟧"
API_KEY_ID = "⟦D:guid⟧"  # a bare UUID, and no EC-Grid context anywhere near
PLACEHOLDER = "⟦D:ek-x⟧"
ZERO = "⟦D:ek-0⟧"
WRONG = ["⟦D:ek-underscore⟧", "⟦D:sb-prod⟧", "⟦D:ek-31⟧", "⟦D:ek-33⟧", "⟦D:ek-sha1⟧"]
GLUED = ["⟦D:myek⟧", "⟦D:xsb⟧", "⟦D:task-user⟧", "⟦D:sb-31⟧", "⟦D:sb-33⟧"]
allowed = "⟦D:sb-test-a⟧"
""",
    "web/api.js": """\
const ELECTRONHUB_KEY = '⟦K:electronhub-dev-key⟧';
fetch('https://api.syncline.run/v1/user/info',
  { headers: { 'X-API-Key': '⟦K:syncline-user-key⟧' } });
const syncline = { platformKey: `⟦K:syncline-platform-key⟧` };
const template = `Bearer ${process.env.ELECTRONHUB_KEY}`;
""",
    "src/Program.cs": """\
// ECGrid client
var ecgridKey = "⟦K:ecgrid-api-key⟧";
client.DefaultRequestHeaders.Add("Authorization", "Bearer ⟦K:electronhub-api-key⟧");
var correlation = Guid.Parse("⟦D:guid⟧");
""",
    "src/Web/appsettings.json": """\
{
  "ECGrid": {
    "BaseUrl": "https://rest.ecgrid.io",
    "ApiKey": "⟦K:ecgrid-api-key⟧"
  },
  "Logging": { "LogLevel": { "Default": "Information" } },
  "AllowedHosts": "*"
}
""",
    "cmd/main.go": """\
package main

const scrapebitKey = "⟦K:scrapebit-test-key⟧"

var ehKey = `⟦K:electronhub-proxy-key⟧`
""",
    # -- shell, curl, URLs, Dockerfile ---------------------------------------------------------
    "scripts/deploy.sh": """\
#!/bin/sh
export ELECTRONHUB_API_KEY=⟦K:electronhub-api-key⟧
export SYNCLINE_PLATFORM_KEY="⟦K:syncline-platform-key⟧"
curl -H "Authorization: Bearer ⟦K:scrapebit-api-key⟧" https://api.scrapebit.com/v1/user/profile
curl -X POST "https://rest.ecgrid.io/v2/users/key-generate/42" \\
  -H "X-API-Key: ⟦K:ecgrid-api-key⟧"
curl -H "X-API-Key: ⟦K:syncline-user-key⟧" https://api.syncline.run/v1/user/info
curl -H "X-API-Key: ⟦K:ecgrid-api-key⟧" \\
  https://rest.ecgrid.io/v2/users/me
curl -H "X-API-Key: $ECGRID_API_KEY" https://rest.ecgrid.io/v2/users/me
""",
    "docs/urls.txt": """\
https://api.scrapebit.com/v1/scrape?api_key=⟦K:scrapebit-api-key⟧&url=https%3A%2F%2Fexample.com
https://user:⟦K:electronhub-api-key⟧@api.electronhub.ai/v1/models
https://api.syncline.run/v1/platform/dashboard?key=⟦K:syncline-platform-key⟧
https://example.com/cb?next=%3D⟦K:electronhub-dev-key⟧
""",
    "Dockerfile": """\
FROM python:3.12-slim
ENV ELECTRONHUB_API_KEY=⟦K:electronhub-api-key⟧
ENV ECGRID_API_KEY ⟦K:ecgrid-api-key⟧
ENV SCRAPEBIT_TEST_KEY=⟦K:scrapebit-test-key⟧
""",
    # -- Markdown --------------------------------------------------------------------------------
    "README.md": """\
# Setup

```bash
export SCRAPEBIT_API_KEY=⟦K:scrapebit-api-key⟧
```

The regenerate call answers `{"key": "⟦D:seed-ek⟧"}`; ECGrid's docs show
`ECGRID_API_KEY=⟦D:seed-guid⟧` and Syncline's `"api_key": "⟦D:seed-sk-user⟧..."`.
Use `ELECTRONHUB_API_KEY=⟦D:ek-angle⟧`, `⟦D:ek-dollar⟧`, `⟦D:sb-braces⟧`,
`⟦D:sk-user-braces⟧`, `⟦D:sk-user-your⟧` or `⟦D:sk-user-your-long⟧` in examples.
Syncline: `SYNCLINE_USER_KEY=⟦D:sk-user-name⟧`, `SYNCLINE_PLATFORM_KEY=⟦D:sk-live-angle⟧`,
and `⟦D:sk-test⟧` is not a Syncline key.
""",
    # -- decoy-only files ------------------------------------------------------------------------
    "billing/stripe_client.py": """\
import stripe

stripe.api_key = "⟦D:stripe⟧"
RESTRICTED = "⟦D:stripe99⟧"
""",
    "ECGridTools.sln": """\
Microsoft Visual Studio Solution File, Format Version 12.00
Project("{⟦D:GUID⟧}") = "ECGridKeyRotator", "ECGridKeyRotator.csproj", "{⟦D:GUID⟧}"
EndProject
""",
    "src/ECGrid.Client/ECGrid.Client.csproj": """\
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <ProjectGuid>{⟦D:GUID⟧}</ProjectGuid>
    <UserSecretsId>⟦D:guid⟧</UserSecretsId>
  </PropertyGroup>
</Project>
""",
    "package-lock.json": """\
{
  "name": "ecgrid-key-tools",
  "packages": { "node_modules/ecgrid-api": { "version": "1.0.0", "apiKeyId": "⟦D:guid⟧" } }
}
""",
    "yarn.lock": """\
ecgrid-api-key@^1.0.0:
  resolved "https://registry.yarnpkg.com/ecgrid-api-key/-/x.tgz#⟦D:sha1⟧"
  token "⟦D:guid⟧"
""",
    "db/migrations/0002_ecgrid.py": """\
ECGRID_KEY_ID = "⟦D:guid⟧"
""",
    "tests/fixtures/ecgrid_response.json": """\
{"success": true, "data": {"apiKey": "⟦P:ecgrid-api-key⟧", "userId": "⟦D:guid⟧"}}
""",
    "checksums.txt": """\
ecgrid api key bundle sha1 ⟦D:sha1⟧
ecgrid api key bundle sha256 ⟦D:sha256⟧
""",
}


@dataclass
class Corpus:
    files: dict[str, str] = field(default_factory=dict)
    expected: set[tuple[str, str, str, int]] = field(default_factory=set)
    """(hashed_secret, rule, file, line) of every real key."""
    possible: set[tuple[str, str, str, int]] = field(default_factory=set)
    """The same for keys whose evidence is ambiguous: reported as `possible`, not blocking."""
    keys: list[str] = field(default_factory=list)
    decoys: dict[str, str] = field(default_factory=dict)
    """hashed_secret -> decoy kind."""


_MARK = re.compile(r"⟦([KDP]):([^⟧]+)⟧")


def build_corpus() -> Corpus:
    corpus = Corpus()
    for path, template in FILES.items():
        placed: list[tuple[str, str]] = []
        possible: list[tuple[str, str]] = []

        def fill(
            match: re.Match[str],
            placed: list[tuple[str, str]] = placed,
            possible: list[tuple[str, str]] = possible,
            path: str = path,
        ) -> str:
            kind, name = match.groups()
            if kind in "KP":
                key = new_key(name)
                (placed if kind == "K" else possible).append((key, name))
                corpus.keys.append(key)
                return key
            decoy = DECOYS[name]()
            corpus.decoys[hashed_secret(decoy)] = f"{name} in {path}"
            return decoy

        content = _MARK.sub(fill, template)
        corpus.files[path] = content
        _expect(corpus, path, content.split("\n"), placed)
        _expect(corpus, path, content.split("\n"), possible, corpus.possible)
    corpus.files["notebooks/explore.ipynb"] = _notebook(corpus)
    return corpus


def _expect(
    corpus: Corpus,
    path: str,
    lines: list[str],
    placed: list[tuple[str, str]],
    into: set[tuple[str, str, str, int]] | None = None,
) -> None:
    for key, rule in placed:
        [line] = [i for i, text in enumerate(lines, 1) if key in text]
        (corpus.expected if into is None else into).add((hashed_secret(key), rule, path, line))


def _notebook(corpus: Corpus) -> str:
    """A Jupyter notebook: JSON whose cell sources are "\\n"-escaped strings."""
    keys = {r: new_key(r) for r in ("syncline-platform-key", "electronhub-api-key")}
    markdown_key = new_key("scrapebit-api-key")
    ecgrid_key = new_key("ecgrid-api-key")
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 1,
            "outputs": [],
            "source": [
                "import os\n",
                "# Syncline platform key\n",
                f'PLATFORM = "{keys["syncline-platform-key"]}"\n',
                f"eh = '{keys['electronhub-api-key']}'\n",
                f'ECGRID_API_KEY = "{ecgrid_key}"',
            ],
        },
        {"cell_type": "markdown", "metadata": {}, "source": f"notes\n{markdown_key}\nend"},
    ]
    text = json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    lines = text.split("\n")
    placed = [(v, k) for k, v in keys.items()]
    placed += [(markdown_key, "scrapebit-api-key"), (ecgrid_key, "ecgrid-api-key")]
    corpus.keys += [k for k, _ in placed]
    _expect(corpus, "notebooks/explore.ipynb", lines, placed)
    return text


def _write(repo: Repo, corpus: Corpus) -> None:
    for path, content in corpus.files.items():
        repo.write(path, content)
    repo.git("add", "-A")


def _report(outcome: Any) -> tuple[list[tuple[str, str, str, int]], dict[str, Any]]:
    report = json.loads(outcome.out)
    rows = [
        (f["hashed_secret"], f["rule"], f["file"], f["line"])
        for f in report["findings"]
        if f["confidence"] == "certain"
    ]
    return rows, report


def _possible_rows(report: dict[str, Any]) -> set[tuple[str, str, str, int]]:
    return {
        (f["hashed_secret"], f["rule"], f["file"], f["line"])
        for f in report["findings"]
        if f["confidence"] == "possible"
    }


def _check(outcome: Any, corpus: Corpus) -> dict[str, Any]:
    assert outcome.code == 1, outcome.err
    rows, report = _report(outcome)
    assert len(rows) == len(set(rows)), "a key was reported more than once"
    reported = sorted(corpus.decoys[r[0]] for r in rows if r[0] in corpus.decoys)
    assert not reported, f"decoys reported: {reported}"
    missing = corpus.expected - set(rows)
    extra = set(rows) - corpus.expected
    assert not missing, f"missed: {sorted((r[1], r[2], r[3]) for r in missing)}"
    assert not extra, f"unexpected: {sorted((r[1], r[2], r[3]) for r in extra)}"
    assert _possible_rows(report) == corpus.possible
    for finding in report["findings"]:
        assert "…" in finding["redacted"]
    return report


def test_corpus_covers_every_family_and_many_files() -> None:
    corpus = build_corpus()
    rules = {rule for _, rule, _, _ in corpus.expected}
    assert len(rules) == 8
    assert len({path for _, _, path, _ in corpus.expected}) >= 14
    placed, made = len(corpus.expected) + len(corpus.possible), len(corpus.keys)  # counts only
    assert placed == made >= 45


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_staged_corpus(repo: Repo, run_cli: RunCli, fmt: str) -> None:
    corpus = build_corpus()
    _write(repo, corpus)
    outcome = run_cli(["scan", "--staged", "--format", fmt], repo.path, keys=corpus.keys)
    if fmt == "text":
        assert outcome.code == 1
        assert outcome.out.count("\n      ") >= len(corpus.expected)  # one guidance line each
        return
    report = _check(outcome, corpus)
    assert report["scan"]["mode"] == "staged"
    assert report["scan"]["skipped"] == []


def test_files_mode_corpus(repo: Repo, run_cli: RunCli) -> None:
    corpus = build_corpus()
    _write(repo, corpus)
    outcome = run_cli(["scan", "--format", "json"], repo.path, keys=corpus.keys)
    report = _check(outcome, corpus)
    assert report["scan"]["mode"] == "files"
    assert report["scan"]["files"] == len(corpus.files)


def test_files_mode_with_paths_corpus(repo: Repo, run_cli: RunCli) -> None:
    corpus = build_corpus()
    _write(repo, corpus)
    outcome = run_cli(["scan", "--format", "json", "."], repo.path / "src", keys=corpus.keys)
    assert outcome.code == 1
    rows, _ = _report(outcome)
    assert set(rows) == {r for r in corpus.expected if r[2].startswith("src/")}


def test_staged_corpus_after_a_commit_reports_only_new_lines(repo: Repo, run_cli: RunCli) -> None:
    """Commit the corpus, then stage one more key per file: only the new keys are reported,
    each once (the committed ones are context now)."""
    corpus = build_corpus()
    _write(repo, corpus)
    repo.commit("corpus")
    added: set[tuple[str, str, str, int]] = set()
    keys = list(corpus.keys)
    for path, content in corpus.files.items():
        if path.endswith((".json", ".ipynb", ".sln", ".csproj", ".lock")):
            continue
        key = new_key("scrapebit-api-key")
        keys.append(key)
        lines = content.split("\n")
        lines.insert(1, f"NEW_SCRAPEBIT={key}")
        repo.write(path, "\n".join(lines))
        added.add((hashed_secret(key), "scrapebit-api-key", path, 2))
    repo.git("add", "-A")
    outcome = run_cli(["scan", "--staged", "--format", "json"], repo.path, keys=keys)
    assert outcome.code == 1
    rows, _ = _report(outcome)
    assert sorted(rows) == sorted(added)
