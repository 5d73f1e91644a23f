"""Build the benchmark's staged change: a temporary git repository whose index adds exactly
2,000 lines over 10 files of realistic mixed source (Python, TypeScript, Go, YAML, JSON,
dotenv, shell, Markdown) against a first commit.

The filler text is deterministic (seeded), the keys are not: every key is made at run time
from its prefix and a fresh random body, so no file of the leakstop repository ever holds a
key-shaped literal. The change carries 12 keys that leakstop must report (every family of
the four providers) and a few look-alikes it must not (placeholders, a Stripe `sk_live_` key
without Syncline context, GUIDs that are not ECGrid credentials).
"""

from __future__ import annotations

import random
import secrets
import string
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

TOTAL_ADDED_LINES = 2000
FILE_COUNT = 10

_ALNUM = string.ascii_letters + string.digits
_WORDS = [
    *("account", "invoice", "order", "shipment", "ledger", "tenant", "webhook", "batch"),
    *("report", "cursor", "partner", "message", "envelope", "mailbox", "session", "token"),
    *("quota", "region", "bucket", "record", "payload", "profile", "schedule", "retry"),
    *("metric", "channel", "document", "archive", "upload", "catalog"),
]
_VERBS = ["load", "fetch", "build", "parse", "sync", "render", "resolve", "validate", "publish"]
_TYPES = ("str", "int", "bytes", "dict[str, str]", "list[int]", "float", "bool")


def _is_placeholder(body: str) -> bool:
    try:
        from leakstop.detect.placeholders import is_placeholder
    except ImportError:  # pragma: no cover - leakstop is installed before the corpus is built
        return False
    return is_placeholder(body)


def _body(n: int) -> str:
    while True:
        value = "".join(secrets.choice(_ALNUM) for _ in range(n))
        if not _is_placeholder(value):
            return value


def _guid(rng: random.Random | None = None) -> str:
    """A random GUID: fresh for keys, seeded (`rng`) for the filler's identifiers."""
    if rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class Keys:
    """The keys of one benchmark run, made fresh every time."""

    electronhub: list[str] = field(default_factory=list)
    electronhub_proxy: str = ""
    electronhub_dev: str = ""
    syncline_user: list[str] = field(default_factory=list)
    syncline_platform: str = ""
    scrapebit_live: list[str] = field(default_factory=list)
    scrapebit_test: str = ""
    ecgrid: list[str] = field(default_factory=list)
    stripe_lookalike: str = ""  # `sk_live_` without Syncline context: not a finding

    @classmethod
    def fresh(cls) -> Keys:
        return cls(
            electronhub=["ek-" + _body(32) for _ in range(2)],
            electronhub_proxy="ek-proxy-" + _body(24),
            electronhub_dev="ek-dev-" + _body(40),
            syncline_user=["sk_user_" + _body(32) for _ in range(2)],
            syncline_platform="sk_live_" + _body(32),
            scrapebit_live=["sb_live_" + _body(32) for _ in range(2)],
            scrapebit_test="sb_test_" + _body(32),
            ecgrid=[_guid() for _ in range(2)],
            stripe_lookalike="sk_live_" + _body(24),
        )

    def expected(self) -> list[str]:
        """Every key leakstop must report, once each."""
        return [
            *self.electronhub,
            self.electronhub_proxy,
            self.electronhub_dev,
            *self.syncline_user,
            self.syncline_platform,
            *self.scrapebit_live,
            self.scrapebit_test,
            *self.ecgrid,
        ]


# ---------------------------------------------------------------------------------------------
# Filler: endless streams of plausible blocks, one generator per language.


def _ident(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS)}_{rng.choice(_WORDS)}"


def _camel(rng: random.Random) -> str:
    a, b = rng.choice(_WORDS), rng.choice(_WORDS)
    return a + b.capitalize()


def _sentence(rng: random.Random, n: int = 8) -> str:
    words = [
        rng.choice(_WORDS + _VERBS + ["the", "a", "of", "for", "when", "each"]) for _ in range(n)
    ]
    return " ".join(words).capitalize()


def _python_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        kind = rng.random()
        name = _ident(rng)
        if kind < 0.55:
            verb = rng.choice(_VERBS)
            arg = rng.choice(_WORDS)
            yield [
                f"def {verb}_{name}({arg}: {rng.choice(_TYPES)}, *, timeout: float = "
                f"{rng.randint(1, 60)}.0) -> {rng.choice(_TYPES)}:",
                f'    """{_sentence(rng)}."""',
                f"    {name} = _registry.get({arg!r})",
                f"    if {name} is None:",
                f'        raise LookupError(f"unknown {arg}: {{{arg}}}")',
                f"    for item in {name}.{rng.choice(_WORDS)}s:",
                f'        log.debug("%s %s", item, {rng.randint(0, 9999)})',
                f"    return {name}",
                "",
                "",
            ]
        elif kind < 0.8:
            cls = _camel(rng).capitalize()
            yield [
                "@dataclass(frozen=True)",
                f"class {cls}:",
                f'    """{_sentence(rng, 10)}."""',
                "",
                f"    {rng.choice(_WORDS)}_id: int",
                f"    {rng.choice(_WORDS)}: str = {rng.choice(_WORDS)!r}",
                f"    retries: int = {rng.randint(0, 9)}",
                "",
                "",
            ]
        else:
            yield [
                f"{name.upper()}_TTL = {rng.randint(10, 3600)}",
                f'{name.upper()}_URL = "https://{rng.choice(_WORDS)}.internal.example/v1"',
                f'{name.upper()}_REVISION = "{rng.getrandbits(160):040x}"',
                "",
            ]


def _ts_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        name = _camel(rng)
        if rng.random() < 0.6:
            yield [
                f"export async function {rng.choice(_VERBS)}{name.capitalize()}(id: string): "
                f"Promise<{name.capitalize()}> {{",
                f"  const res = await fetch(`${{BASE_URL}}/{rng.choice(_WORDS)}s/${{id}}`, {{",
                '    method: "GET",',
                f'    headers: {{ "X-Retry": "{rng.randint(0, 5)}" }},',
                "  });",
                "  if (!res.ok) {",
                f"    throw new Error(`{rng.choice(_WORDS)} ${{id}}: ${{res.status}}`);",
                "  }",
                f"  return (await res.json()) as {name.capitalize()};",
                "}",
                "",
            ]
        else:
            yield [
                f"export interface {name.capitalize()} {{",
                f"  {rng.choice(_WORDS)}Id: number;",
                f"  {rng.choice(_WORDS)}: string;",
                f"  {rng.choice(_WORDS)}At?: Date;",
                "}",
                "",
            ]


def _go_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        name = _camel(rng)
        yield [
            f"// {name} {_sentence(rng).lower()}.",
            f"func (w *Worker) {name.capitalize()}(ctx context.Context, id int64) error {{",
            f'\trow, err := w.db.Query(ctx, "SELECT * FROM {rng.choice(_WORDS)}s WHERE id = $1",',
            "\t\tid)",
            "\tif err != nil {",
            f'\t\treturn fmt.Errorf("{rng.choice(_VERBS)} {rng.choice(_WORDS)} %d: %w", id, err)',
            "\t}",
            "\tdefer row.Close()",
            f"\tw.metrics.Add({rng.randint(1, 100)})",
            "\treturn nil",
            "}",
            "",
        ]


def _yaml_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        name = rng.choice(_WORDS)
        yield [
            f"{name}-{rng.choice(_WORDS)}:",
            f"  image: registry.example/{name}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.0",
            f"  replicas: {rng.randint(1, 6)}",
            f"  podUid: {_guid(rng)}",
            "  resources:",
            f"    cpu: {rng.randint(100, 900)}m",
            f"    memory: {rng.randint(128, 2048)}Mi",
            "  env:",
            f"    LOG_LEVEL: {rng.choice(['info', 'debug', 'warn'])}",
            f'    {rng.choice(_WORDS).upper()}_HOST: "{rng.choice(_WORDS)}.svc.cluster.local"',
        ]


def _json_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        yield [
            "    {",
            f'      "id": "{_guid(rng)}",',
            f'      "name": "{_ident(rng)}",',
            f'      "endpoint": "https://{rng.choice(_WORDS)}.example/api",',
            f'      "timeoutMs": {rng.randint(100, 30000)},',
            f'      "enabled": {rng.choice(["true", "false"])}',
            "    },",
        ]


def _env_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        name = _ident(rng).upper()
        yield [
            f"# {_sentence(rng, 6)}",
            f"{name}_URL=https://{rng.choice(_WORDS)}.staging.example",
            f"{name}_TIMEOUT={rng.randint(1, 120)}",
            f"{name}_ENABLED={rng.choice(['1', '0'])}",
            "",
        ]


def _shell_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        name = _ident(rng)
        yield [
            f"{name}() {{",
            f'  local target="${{1:?usage: {name} TARGET}}"',
            f'  echo "{rng.choice(_VERBS)} {rng.choice(_WORDS)}s in $target"',
            f'  psql "$DATABASE_URL" -c "UPDATE {rng.choice(_WORDS)}s SET state = 1"',
            f"  sleep {rng.randint(1, 5)}",
            "}",
            "",
        ]


def _markdown_blocks(rng: random.Random) -> Iterator[list[str]]:
    while True:
        yield [
            f"## {_sentence(rng, 4)}",
            "",
            f"{_sentence(rng, 14)}. {_sentence(rng, 11)}.",
            f"{_sentence(rng, 12)}.",
            "",
            "```bash",
            f"curl -s https://{rng.choice(_WORDS)}.example/v1/{rng.choice(_WORDS)}s | jq .",
            "```",
            "",
        ]


# ---------------------------------------------------------------------------------------------
# The ten files: filler with the key snippets placed at fixed fractions of each file.


@dataclass
class Spec:
    path: str
    added: int
    header: list[str]
    blocks: Callable[[random.Random], Iterator[list[str]]]
    snippets: list[tuple[float, list[str]]]
    base: int = 0
    """Lines that already exist in the first commit (the staged change modifies the file)."""
    footer: list[str] = field(default_factory=list)


def _specs(keys: Keys) -> list[Spec]:
    ek1, ek2 = keys.electronhub
    su1, su2 = keys.syncline_user
    sb1, sb2 = keys.scrapebit_live
    eg1, eg2 = keys.ecgrid
    placeholder_ek = "ek-" + "x" * 32
    placeholder_sb = "sb_live_" + "0123456789abcdef" * 2
    return [
        Spec(
            "src/app/settings.py",
            260,
            ['"""Runtime settings."""', "", "import os", "from dataclasses import dataclass", ""],
            _python_blocks,
            [
                (0.3, ["# LLM gateway", f'ELECTRONHUB_API_KEY = "{ek1}"', ""]),
                (0.7, [f'SYNCLINE_USER_KEY = os.environ.get("SYNCLINE_USER_KEY", "{su1}")', ""]),
            ],
            base=120,
        ),
        Spec(
            "src/app/clients.py",
            300,
            [
                '"""API clients."""',
                "",
                "import logging",
                "",
                "log = logging.getLogger(__name__)",
                "",
            ],
            _python_blocks,
            [
                (
                    0.5,
                    [
                        "def gateway() -> ElectronHub:",
                        f'    return ElectronHub(api_key="{ek2}")',
                        "",
                    ],
                )
            ],
        ),
        Spec(
            "web/src/api.ts",
            250,
            ['import { BASE_URL } from "./config";', ""],
            _ts_blocks,
            [
                (0.2, [f'const SCRAPEBIT_KEY = "{sb1}";', ""]),
                (
                    0.8,
                    [
                        "const scraper = {",
                        f'  headers: {{ Authorization: "Bearer {sb2}" }},',
                        "};",
                        "",
                    ],
                ),
            ],
        ),
        Spec(
            "deploy/values.yaml",
            200,
            ["# Helm values for the staging cluster", "global:", "  region: eu-west-1", ""],
            _yaml_blocks,
            [
                (
                    0.5,
                    [
                        "ecgrid:",
                        "  baseUrl: https://rest.ecgrid.example/v2",
                        "  mailbox: 4411",
                        f'  apiKey: "{eg1}"',
                        "",
                    ],
                ),
                # A GUID on a line with a key word, but no ECGrid context nearby: not a finding.
                (0.9, ["tracing:", f"  sessionKey: {_guid()}", ""]),
            ],
            base=80,
        ),
        Spec(
            "config/services.json",
            150,
            ["{", '  "services": ['],
            _json_blocks,
            [
                (
                    0.4,
                    [
                        "    {",
                        '      "name": "llm-proxy",',
                        f'      "proxyKey": "{keys.electronhub_proxy}"',
                        "    },",
                    ],
                )
            ],
            footer=['    {"name": "last"}', "  ]", "}"],
        ),
        Spec(
            ".env.staging",
            90,
            ["# staging environment", "APP_ENV=staging", ""],
            _env_blocks,
            [
                (
                    0.3,
                    [
                        "# Syncline platform integration",
                        f"SYNCLINE_PLATFORM_KEY={keys.syncline_platform}",
                        "",
                    ],
                ),
                (0.7, [f"SCRAPEBIT_TEST_KEY={keys.scrapebit_test}", ""]),
            ],
        ),
        Spec(
            "cmd/worker/main.go",
            250,
            ["package main", "", "import (", '\t"context"', '\t"fmt"', ")", ""],
            _go_blocks,
            [
                (
                    0.6,
                    [
                        "func devClient() *Client {",
                        f'\treturn NewClient("{keys.electronhub_dev}")',
                        "}",
                        "",
                    ],
                )
            ],
            base=60,
        ),
        Spec(
            "docs/integration.md",
            200,
            ["# Integrating the providers", ""],
            _markdown_blocks,
            [
                (
                    0.3,
                    [
                        "Set the key in your environment:",
                        "",
                        "```bash",
                        f"export ELECTRONHUB_API_KEY={placeholder_ek}",
                        f"export SCRAPEBIT_API_KEY={placeholder_sb}",
                        "export SYNCLINE_USER_KEY=sk_user_your_key_here",
                        "```",
                        "",
                    ],
                ),
            ],
        ),
        Spec(
            "scripts/migrate.sh",
            110,
            ["#!/usr/bin/env bash", "set -euo pipefail", ""],
            _shell_blocks,
            [
                (0.2, [f'export SYNCLINE_TOKEN="{su2}"', ""]),
                # Stripe uses `sk_live_` too: without Syncline context this is not a finding.
                (0.8, ["# payments", f'export STRIPE_SECRET="{keys.stripe_lookalike}"', ""]),
            ],
        ),
        Spec(
            "src/edi/transport.py",
            190,
            ['"""EDI transport over the ECGrid REST API."""', "", "import httpx", ""],
            _python_blocks,
            [
                (
                    0.5,
                    [
                        "# ECGrid mailbox credentials",
                        'ECGRID_BASE = "https://rest.ecgrid.example"',
                        f'ECGRID_HEADERS = {{"X-API-Key": "{eg2}"}}',
                        "",
                    ],
                )
            ],
        ),
    ]


def _render(spec: Spec, rng: random.Random) -> list[str]:
    """`spec.base + spec.added` lines: header, filler, snippets at their fractions, footer."""
    total = spec.base + spec.added
    lines = list(spec.header)
    pending = sorted(spec.snippets, key=lambda s: s[0])
    blocks = spec.blocks(rng)
    body_end = total - len(spec.footer)
    while len(lines) < body_end:
        if pending and len(lines) >= spec.base + pending[0][0] * spec.added:
            lines.extend(pending.pop(0)[1])
        else:
            lines.extend(next(blocks))
    if pending:  # pragma: no cover - the fractions leave room for every snippet
        raise AssertionError(f"{spec.path}: snippets did not fit")
    return lines[:body_end] + spec.footer


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: tuple[str, ...]
    keys: Keys
    added_lines: int
    added_bytes: int


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def build(root: Path, seed: int = 2024) -> Corpus:
    """Create the repository at `root` (which must not exist) with the change staged."""
    rng = random.Random(seed)
    keys = Keys.fresh()
    specs = _specs(keys)
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    for key, value in (
        ("user.name", "Bench"),
        ("user.email", "bench@example.invalid"),
        ("commit.gpgsign", "false"),
    ):
        _git(root, "config", key, value)

    rendered = {spec.path: _render(spec, rng) for spec in specs}
    text = "\n".join(line for lines in rendered.values() for line in lines)
    if not all(key in text for key in [*keys.expected(), keys.stripe_lookalike]):
        raise AssertionError("a key snippet was cut off")  # pragma: no cover
    (root / "README.md").write_text("# service\n\nInternal service.\n", encoding="utf-8")
    for spec in specs:
        if spec.base:
            _write(root / spec.path, rendered[spec.path][: spec.base])
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "initial")

    for spec in specs:
        _write(root / spec.path, rendered[spec.path])
    _git(root, "add", "-A")

    added = added_bytes = 0
    for row in _git(root, "diff", "--cached", "--numstat").splitlines():
        added += int(row.split("\t")[0])
    for spec in specs:
        added_bytes += len("\n".join(rendered[spec.path][spec.base :]).encode()) + 1
    return Corpus(root, tuple(s.path for s in specs), keys, added, added_bytes)


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
