"""The one module of shared test helpers: real temporary git repositories, sample keys built at
run time, the typed CLI runner, JSON report readers, remotes and pushes, CI scripts, rotation
state and the marked corpora. Test files and conftest.py import from here; nothing here is a
test or a fixture."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import string
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote

from leakstop.detect.placeholders import is_placeholder
from leakstop.providers import all_rules
from leakstop.providers.base import Provider
from leakstop.secrets_text import hashed_secret
from leakstop.simulator import SimulatorControl
from leakstop.simulator.providers.base import ProviderSim

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = str(Path(sys.executable).parent)
ZERO = "0" * 40
Report = dict[str, Any]
"""A JSON report as `json.loads` returns it (its schema is pinned by the report tests)."""


# -- the CLI runner ------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class RunCli(Protocol):
    """The `run_cli` fixture: `leakstop ARGS` in-process in `cwd`, with `stdin`; every output
    stream is checked for `keys` (assert_no_leak) before the outcome is returned."""

    def __call__(
        self, args: list[str], cwd: Path, keys: Iterable[str] = (), stdin: str = ""
    ) -> Outcome: ...


def assert_no_leak(texts: Iterable[str], keys: Iterable[str]) -> None:
    """No key, nor any 12-character piece of its body, appears in any of `texts`."""
    blob = "\n".join(texts)
    for key in keys:
        assert key not in blob, "a full key leaked into the output"
        body = key.split("_")[-1].split("-")[-1] if len(key) > 36 else key.replace("-", "")
        for i in range(0, max(1, len(body) - 12)):
            assert body[i : i + 12] not in blob, "part of a key leaked into the output"


# -- real git repositories -----------------------------------------------------------------


class Repo:
    """A real git repository in a temporary directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, input: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, input=input, capture_output=True, check=True
        )
        return proc.stdout.decode("utf-8", "replace")

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")
        return target

    def stage(self, rel: str, content: str | bytes) -> None:
        self.write(rel, content)
        self.git("add", "--", rel)

    def commit(self, message: str = "change") -> str:
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def init_repo(path: Path) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    repo = Repo(path)
    repo.git("config", "user.email", "dev@example.invalid")
    repo.git("config", "user.name", "Test Dev")
    repo.git("config", "commit.gpgsign", "false")
    return repo


def commit_file(repo: Repo, rel: str, content: str | bytes, message: str = "change") -> str:
    """Stage `content` at `rel` and commit it; the new commit's id."""
    repo.stage(rel, content)
    return repo.commit(message)


# -- sample keys, built at run time --------------------------------------------------------
# Prefix + random body, so the repository itself never holds a key-shaped literal that
# leakstop (or anyone's scanner) would flag.

_ALNUM = string.ascii_letters + string.digits


def _alnum(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


KEY_FAMILIES: dict[str, tuple[str, Callable[[], str]]] = {
    "electronhub-api-key": ("ek-", lambda: _alnum(32)),
    "electronhub-proxy-key": ("ek-proxy-", lambda: _alnum(24)),
    "electronhub-dev-key": ("ek-dev-", lambda: _alnum(24)),
    "syncline-user-key": ("sk_user_", lambda: _alnum(32)),
    "syncline-platform-key": ("sk_live_", lambda: _alnum(32)),
    "scrapebit-api-key": ("sb_live_", lambda: _alnum(32)),
    "scrapebit-test-key": ("sb_test_", lambda: _alnum(32)),
    "ecgrid-api-key": ("", lambda: str(uuid.uuid4())),
}
"""rule id -> (prefix, body factory): one row per detection rule of every provider. Held to
leakstop.providers by provider_gaps."""

RULE_IDS = tuple(rule.id for rule in all_rules())
"""Every rule of the registry: tests parametrized over it cover a new provider's rules
without an edit, and fail in new_key until KEY_FAMILIES can build its keys."""


def new_key(rule_id: str) -> str:
    """A fresh random key of the family `rule_id` (never a placeholder lookalike)."""
    if rule_id not in KEY_FAMILIES:
        raise LookupError(f"no sample key for rule {rule_id!r}: add a row to KEY_FAMILIES")
    prefix, body = KEY_FAMILIES[rule_id]
    while True:
        value = body()
        if not is_placeholder(value):
            return prefix + value


def hex_key(prefix: str, n: int = 32) -> str:
    return prefix + secrets.token_hex(n // 2)


# -- JSON reports --------------------------------------------------------------------------


def report_of(outcome: Outcome) -> Report:
    report: Report = json.loads(outcome.out)
    return report


def run_json(
    run_cli: RunCli, args: list[str], cwd: Path, keys: Iterable[str] = (), stdin: str = ""
) -> tuple[Outcome, Report]:
    """Run a command that prints a JSON report and exits 0 or 1 without a traceback."""
    outcome = run_cli(args, cwd, keys=list(keys), stdin=stdin)
    assert outcome.code in (0, 1), outcome.err
    assert "Traceback" not in outcome.err
    return outcome, report_of(outcome)


def scan_json(
    run_cli: RunCli, repo: Repo, *args: str, keys: Iterable[str]
) -> tuple[Outcome, Report]:
    """`leakstop scan --format json ARGS` in `repo`."""
    return run_json(run_cli, ["scan", "--format", "json", *args], repo.path, keys)


def scan_report(run_cli: RunCli, repo: Repo, *args: str, keys: Iterable[str]) -> Report:
    """The JSON report of `leakstop scan --format json ARGS` in `repo`."""
    return scan_json(run_cli, repo, *args, keys=keys)[1]


def finding_rows(report: Report, *fields: str) -> set[tuple[Any, ...]]:
    """The findings of `report` as tuples of `fields`."""
    return {tuple(f[name] for name in fields) for f in report["findings"]}


def hash_file_line(report: Report) -> set[tuple[Any, ...]]:
    return finding_rows(report, "hashed_secret", "file", "line")


def skipped_files(report: Report) -> dict[str, str]:
    """What the scan did not read: file -> reason."""
    return {s["file"]: s["reason"] for s in report["scan"]["skipped"]}


def all_modes(run_cli: RunCli, repo: Repo, base: str, keys: Iterable[str]) -> dict[str, Report]:
    """Reports of every mode that scans commits (`--history`, `--range`, `--pre-push` with
    git's hook lines, `--pre-receive` with the commits no ref reaches yet, as on a server, and
    a sweep) for the commits after `base` up to `main` (base itself is a clean commit:
    history scans it too, and finds nothing in it)."""
    keys = list(keys)
    tip = repo.git("rev-parse", "main").strip()

    def report(args: list[str], stdin: str = "") -> Report:
        return run_json(run_cli, args, repo.path, keys, stdin)[1]

    reports = {
        "history": report(["scan", "--history", "--format", "json"]),
        "range": report(["scan", "--range", f"{base}..{tip}", "--format", "json"]),
        "pre-push": report(
            ["scan", "--pre-push", "elsewhere", "url", "--format", "json"],
            f"refs/heads/main {tip} refs/heads/main {base}\n",
        ),
    }
    # On a server, the pushed commits are those no ref reaches yet.
    repo.git("update-ref", "refs/heads/main", base)
    repo.git("update-ref", "--no-deref", "HEAD", base)
    try:
        reports["pre-receive"] = report(
            ["scan", "--pre-receive", "--format", "json"], f"{base} {tip} refs/heads/main\n"
        )
    finally:
        repo.git("update-ref", "refs/heads/main", tip)
        repo.git("symbolic-ref", "HEAD", "refs/heads/main")
    reports["sweep"] = report(["sweep", str(repo.path), "--format", "json", "--jobs", "1"])
    return reports


# -- remotes and pushes --------------------------------------------------------------------


def with_origin(repo: Repo, tmp_path: Path, name: str = "origin") -> Path:
    """A bare repository next to `repo`, configured as its remote `name`."""
    bare = tmp_path / f"{name}.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    repo.git("remote", "add", name, str(bare))
    return bare


def push_lines(repo: Repo, *refspecs: str, remote: str = "origin") -> str:
    """What git writes on a pre-push hook's stdin for `git push REMOTE REFSPEC...`."""
    lines = []
    for spec in (s.removeprefix("+") for s in refspecs):
        src, _, dst = spec.rpartition(":") if ":" in spec else (spec, "", spec)
        dst = dst if dst.startswith("refs/") else f"refs/heads/{dst}"
        listed = repo.git("ls-remote", remote, dst).split()
        remote_sha = listed[0] if listed else ZERO
        if src:
            local_ref = src if src.startswith("refs/") else f"refs/heads/{src}"
            lines.append(f"{local_ref} {repo.git('rev-parse', src).strip()} {dst} {remote_sha}")
        else:
            lines.append(f"(delete) {ZERO} {dst} {remote_sha}")
    return "".join(f"{line}\n" for line in lines)


def git_push(
    repo: Repo, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A real `git push` (hooks run); the venv's `leakstop` is on PATH."""
    path = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["git", "push", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, **(env or {})},
    )


def remote_tip(repo: Repo, ref: str) -> str:
    listed = repo.git("ls-remote", "origin", ref).split()
    return listed[0] if listed else ""


def guard_with_pre_receive(bare: Path) -> Path:
    """Install the shipped hooks/pre-receive in the bare repository `bare`."""
    hook = bare / "hooks" / "pre-receive"
    shutil.copy2(PROJECT / "hooks" / "pre-receive", hook)
    hook.chmod(0o755)
    return bare


def publish_history(repo: Repo, tmp_path: Path) -> Repo:
    """A developer repository whose `origin` has main = root, then a commit carrying a key
    that went out unchecked long ago (it must not be reported again)."""
    with_origin(repo, tmp_path)
    commit_file(repo, "README.md", "hello\n", "root")
    commit_file(repo, "old.txt", f"{new_key('electronhub-api-key')}\n", "old key")
    commit_file(repo, "old.txt", "gone\n", "old key removed")
    repo.git("push", "-q", "origin", "main")
    return repo


# -- CI runners ----------------------------------------------------------------------------


def ci_env(tmp_path: Path, **values: str) -> dict[str, str]:
    path = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "GITHUB_OUTPUT": str(tmp_path / "output"), **values}


def run_bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # As GitHub's and GitLab's runners start bash: errexit and pipefail on.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


def ci_checkout(repo: Repo, tmp_path: Path, name: str, *options: str) -> Path:
    """A fresh clone of `repo`'s origin, as a CI runner would make it."""
    bare = repo.git("remote", "get-url", "origin").strip()
    target = tmp_path / name
    subprocess.run(["git", "clone", "-q", *options, bare, str(target)], check=True)
    return target


def sarif_uris(sarif: Report | None) -> list[str]:
    assert sarif is not None
    return [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for run in sarif["runs"]
        for r in run["results"]
    ]


# -- rotation and the simulator ------------------------------------------------------------


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def state_dir() -> Path:
    """leakstop's state directory under the test's own XDG_STATE_HOME."""
    return Path(os.environ["XDG_STATE_HOME"]) / "leakstop"


def rotate_calls(control: SimulatorControl) -> list[dict[str, Any]]:
    """The regenerate calls the simulator has answered."""
    return [c for c in control.calls() if c["call"] == "rotate"]


def rotate(run_cli: RunCli, provider: str, key: str, cwd: Path, *extra: str) -> Outcome:
    """`leakstop rotate --provider PROVIDER --yes EXTRA` with `key` on stdin."""
    return run_cli(["rotate", "--provider", provider, "--yes", *extra], cwd, keys=[key], stdin=key)


GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Flow:
    provider: str
    kind: str | None
    header: str
    rotate_method: str
    rotate_path: str
    check_path: str
    key_shape: str

    @property
    def id(self) -> str:
        return f"{self.provider}-{self.kind or 'default'}"

    def auth(self, key: str) -> dict[str, str]:
        if self.header == "bearer":
            return {"Authorization": f"Bearer {key}"}
        return {"X-API-Key": key}

    def wrong_auth(self, key: str) -> dict[str, str]:
        """The other common header, which this provider does not read."""
        if self.header == "bearer":
            return {"X-API-Key": key}
        return {"Authorization": f"Bearer {key}"}


FLOWS = [
    Flow(
        "electronhub",
        None,
        "bearer",
        "GET",
        "/v1/auth/key/regen",
        "/v1/user/me",
        r"ek-[0-9a-f]{32}",
    ),
    Flow(
        "syncline",
        "user",
        "x-api-key",
        "POST",
        "/v1/user/api-key/regenerate",
        "/v1/user/info",
        r"sk_user_[A-Za-z0-9]{32}",
    ),
    Flow(
        "syncline",
        "platform",
        "x-api-key",
        "POST",
        "/v1/platform/regenerate-key",
        "/v1/platform/dashboard",
        r"sk_live_[A-Za-z0-9]{32}",
    ),
    Flow(
        "scrapebit",
        None,
        "bearer",
        "POST",
        "/v1/user/api-key/regenerate",
        "/v1/user/profile",
        r"sb_live_[A-Za-z0-9]{32}",
    ),
    Flow(
        "ecgrid",
        None,
        "x-api-key",
        "POST",
        "/v2/users/key-generate/{id}",
        "/v2/users/me",
        GUID,
    ),
]
"""The documented check and regenerate calls, one row per rotatable key family (kind None:
the provider's first simulator key kind). Held to leakstop.providers by provider_gaps."""

ROTATION_SAMPLES: dict[str, tuple[str, str]] = {
    "electronhub": ("master", "EH_KEY"),
    "syncline": ("user", "SYNCLINE_KEY"),
    "scrapebit": ("live", "SB_KEY"),
    "ecgrid": ("api", "ECGRID_API_KEY"),
}
"""provider -> (simulator key kind, variable name) of the account the rotation tests plant in
a .env file, one row per provider. Held to leakstop.providers by provider_gaps."""


def read_banner(stream: IO[str]) -> tuple[str, dict[str, str]]:
    """`leakstop simulate`'s banner: its URL and the variables it tells to export."""
    lines = []
    for line in stream:
        lines.append(line.rstrip("\n"))
        if "press Ctrl-C" in line:
            break
    assert lines[0].startswith("leakstop simulator listening on http://127.0.0.1:")
    url = lines[0].rsplit(" ", 1)[1]
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
    )
    return url, exports


# -- sweeps --------------------------------------------------------------------------------


def run_sweep(
    run_cli: RunCli, cwd: Path, cache: Path, *args: str, keys: Iterable[str] = ()
) -> Outcome:
    """`leakstop sweep --cache CACHE ARGS` in `cwd`."""
    return run_cli(["sweep", "--cache", str(cache), *args], cwd, keys=keys)


# -- marked corpora ------------------------------------------------------------------------
# A corpus file is a template in which `⟦K:rule-id⟧` becomes a fresh random key, `⟦P:rule-id⟧`
# one reported as `possible`, `⟦E:encoding:rule-id⟧` an encoded key and `⟦D:name⟧` a decoy,
# all made at run time: the test files hold no key-shaped literal.

Row = tuple[str, str, str, int]
"""(hashed_secret, rule, file, line) of one finding."""


def _json_escaped(key: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if c in "-_" else c for c in key)


MARK_ENCODINGS: dict[str, Callable[[str], str]] = {
    "b64": lambda k: base64.b64encode(k.encode()).decode(),
    "basic": lambda k: base64.b64encode(f"svc-user:{k}".encode()).decode(),
    "pct": lambda k: quote(k, safe="").replace("-", "%2D").replace("_", "%5F"),
    "esc": _json_escaped,
}

MARK_DECOYS: dict[str, Callable[[], str]] = {
    "guid": lambda: str(uuid.uuid4()),
    "GUID": lambda: str(uuid.uuid4()).upper(),
    "swagger": lambda: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "zero": lambda: "00000000-0000-0000-0000-000000000000",
    "ffff": lambda: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
    "seq": lambda: "12345678-1234-1234-1234-123456789012",
    "integrity": lambda: "sha512-" + base64.b64encode(secrets.token_bytes(64)).decode(),
    "b64guid-id": lambda: base64.b64encode(str(uuid.uuid4()).encode()).decode(),
}

_MARK = re.compile(r"⟦([KPDE]):([^⟧]+)⟧")


@dataclass
class MarkedCorpus:
    files: dict[str, str] = field(default_factory=dict)
    certain: set[Row] = field(default_factory=set)
    possible: set[Row] = field(default_factory=set)
    keys: list[str] = field(default_factory=list)
    decoys: dict[str, str] = field(default_factory=dict)
    """hashed_secret -> where, for messages."""
    # Templates with each key's line-unique stand-in, to build history commits.
    blanks: dict[str, str] = field(default_factory=dict)


Template = str | Callable[[Callable[[str], str]], str]
"""A file's text with marks, or a function that builds it from a mark filler (JSON that
needs its strings escaped, like a notebook's)."""


def build_corpus(files: dict[str, Template]) -> MarkedCorpus:
    corpus = MarkedCorpus()
    for path, template in files.items():
        placed: list[tuple[str, str, str, str]] = []  # (text in file, key, rule, kind)

        def fill(
            text: str, placed: list[tuple[str, str, str, str]] = placed, path: str = path
        ) -> str:
            def one(match: re.Match[str]) -> str:
                kind, name = match.groups()
                if kind == "D":
                    decoy = MARK_DECOYS[name]()
                    corpus.decoys[hashed_secret(decoy)] = f"{name} in {path}"
                    return decoy
                if kind == "E":
                    encoding, rule = name.split(":")
                    key = new_key(rule)
                    shown = MARK_ENCODINGS[encoding](key)
                    placed.append((shown, key, rule, "K"))
                    return shown
                key = new_key(name)
                placed.append((key, key, name, kind))
                return key

            return _MARK.sub(one, text)

        content = fill(template) if isinstance(template, str) else template(fill)
        corpus.files[path] = content
        lines = content.split("\n")
        blank = content
        for shown, key, rule, kind in placed:
            [line] = [i for i, text in enumerate(lines, 1) if shown in text]
            row = (hashed_secret(key), rule, path, line)
            (corpus.certain if kind == "K" else corpus.possible).add(row)
            corpus.keys.append(key)
            blank = blank.replace(shown, "REPLACED-LATER", 1)
        corpus.blanks[path] = blank
    return corpus


def _confident(report: Report, confidence: str) -> set[Row]:
    return {
        (f["hashed_secret"], f["rule"], f["file"], f["line"])
        for f in report["findings"]
        if f.get("confidence", "certain") == confidence
    }


def score_corpus(report: Report, corpus: MarkedCorpus) -> None:
    """Every certain key reported, as certain; no decoy; the possible ones as possible."""
    certain, possible = _confident(report, "certain"), _confident(report, "possible")
    decoys = sorted(corpus.decoys[r[0]] for r in certain | possible if r[0] in corpus.decoys)
    assert not decoys, f"decoys reported: {decoys}"
    missing = corpus.certain - certain
    assert not missing, f"missed: {sorted((r[1], r[2], r[3]) for r in missing)}"
    extra = certain - corpus.certain
    assert not extra, f"unexpected: {sorted((r[1], r[2], r[3]) for r in extra)}"
    assert possible == corpus.possible


def write_corpus(repo: Repo, corpus: MarkedCorpus, *, structure_first: bool = True) -> None:
    """Stage the corpus's files; with `structure_first`, their versions without keys are
    committed first, so each key is a hunk of its own whose diff context may not show what
    names it."""
    if structure_first:
        for path, blank in corpus.blanks.items():
            repo.write(path, blank)
        repo.commit("structure")
    for path, content in corpus.files.items():
        repo.write(path, content)
    repo.git("add", "-A")


def scan_corpus(run_cli: RunCli, repo: Repo, corpus: MarkedCorpus, *args: str) -> Report:
    """`leakstop scan ARGS --format json`, failing as it must, scored against the corpus."""
    outcome = run_cli(["scan", *args, "--format", "json"], repo.path, keys=corpus.keys)
    assert outcome.code == 1, outcome.err
    report = report_of(outcome)
    score_corpus(report, corpus)
    return report


# -- the provider tables -------------------------------------------------------------------


def _flow_rule(flow: Flow, providers: list[Provider], sims: dict[str, ProviderSim]) -> str | None:
    """The rule whose keys `flow` rotates: its simulator key kind's prefix is the rule's."""
    sim = sims.get(flow.provider)
    provider = next((p for p in providers if p.name == flow.provider), None)
    if sim is None or provider is None:
        return None
    kinds = [k for k in sim.kinds if flow.kind in (None, k.name)][:1]
    rules = [r.id for r in provider.rules for k in kinds if r.prefix == k.prefix]
    return rules[0] if rules else None


def provider_gaps(providers: Iterable[Provider], sims: dict[str, ProviderSim]) -> list[str]:
    """What the test tables lack for `providers` (leakstop.providers' records) and `sims`
    (the simulator's providers by name), one message each, naming the table: a sample key
    builder for every rule that the rule's own pattern matches, a simulator counterpart
    issuing keys of every rule, a rotation sample per provider, a documented flow per
    rotatable rule; and no row for a provider or rule the registry does not have."""
    providers = list(providers)
    gaps: list[str] = []
    rule_ids = {rule.id for provider in providers for rule in provider.rules}
    flow_rules: set[str] = set()
    for flow in FLOWS:
        rule_id = _flow_rule(flow, providers, sims)
        if rule_id is None:
            gaps.append(f"FLOWS row {flow.id!r} names no rule of leakstop.providers")
        flow_rules.add(rule_id or "")
    for provider in providers:
        sim = sims.get(provider.name)
        if sim is None:
            gaps.append(
                f"provider {provider.name!r} has no simulator counterpart in "
                "leakstop/simulator/providers/ (build_registry)"
            )
        if provider.name not in ROTATION_SAMPLES:
            gaps.append(f"provider {provider.name!r} has no row in ROTATION_SAMPLES")
        elif sim and ROTATION_SAMPLES[provider.name][0] not in {k.name for k in sim.kinds}:
            gaps.append(f"ROTATION_SAMPLES[{provider.name!r}] names no key kind of its simulator")
        for rule in provider.rules:
            if rule.id not in KEY_FAMILIES:
                gaps.append(f"rule {rule.id!r} has no sample key builder in KEY_FAMILIES")
            elif not rule.pattern.fullmatch(new_key(rule.id)):
                gaps.append(f"KEY_FAMILIES[{rule.id!r}] builds keys its rule does not match")
            if sim and not any(kind.prefix == rule.prefix for kind in sim.kinds):
                gaps.append(
                    f"rule {rule.id!r} has no key kind with prefix {rule.prefix!r} in the "
                    f"{provider.name} simulator"
                )
            if rule.rotatable and rule.id not in flow_rules:
                gaps.append(f"rotatable rule {rule.id!r} has no row in FLOWS")
    names = {provider.name for provider in providers}
    gaps += [f"KEY_FAMILIES row {r!r} names no rule" for r in KEY_FAMILIES if r not in rule_ids]
    gaps += [
        f"ROTATION_SAMPLES row {p!r} names no provider" for p in ROTATION_SAMPLES if p not in names
    ]
    return gaps
