"""`leakstop audit` (detect-secrets' audit) never shows a whole secret: not in the interactive
review driven on a real pseudo-terminal, not in --report, --stats or --diff; not the audited
secrets, not the secrets on the lines around them, not secrets of detect-secrets' own
plugins. The audit still works: labels land in the baseline, and then count (is_secret)."""

from __future__ import annotations

import json
import os
import pty
import random
import select
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from leakstop.plugin.audit import Redactor
from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, assert_no_leak, new_key

PROMPTS = (b"Should this string be committed to the repository?", b"What would you like to do?")


class AuditRepo:
    """A repository wired by `leakstop init`, whose baseline holds keys of leakstop's
    families and of detect-secrets' own plugins, next to a key a pragma keeps out of it."""

    def __init__(self, repo: Repo, run_cli: RunCli) -> None:
        self.repo = repo
        rng = random.SystemRandom()
        self.ek = new_key("electronhub-api-key")
        self.sk = new_key("syncline-user-key")
        self.guid = new_key("ecgrid-api-key")
        self.neighbour = new_key("scrapebit-api-key")
        self.password = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(20))
        self.aws = "AKIA" + "".join(
            rng.choice(string.ascii_uppercase + "234567") for _ in range(16)
        )
        self.quiet = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))
        self.keys = [self.ek, self.sk, self.guid, self.neighbour, self.password, self.aws]
        self.pin = "".join(rng.choice(string.ascii_letters) for _ in range(6))
        self.keys += [self.quiet, self.pin]
        repo.write(
            "app.py",
            "import os\n"
            f'client = Client(api_key="{self.ek}")\n'
            f'SCRAPEBIT = "{self.neighbour}"  # pragma: allowlist secret\n'
            f'db_password = "{self.quiet}"  # pragma: allowlist secret\n'
            f'password = "{self.password}"\n'
            f'pin_password = "{self.pin}"\n'
            f'aws_access_key_id = "{self.aws}"\n',
        )
        repo.write(".env", f"SYNCLINE_USER_KEY={self.sk}\n")
        repo.write(
            "appsettings.json",
            '{\n  "ECGrid": {\n    "BaseUrl": "https://rest.ecgrid.io",\n'
            f'    "ApiKey": "{self.guid}"\n  }}\n}}\n',
        )
        outcome = run_cli(["init", "--no-pre-commit"], repo.path, keys=self.keys)
        assert outcome.code == 0, outcome.err
        repo.git("add", "-A")  # detect-secrets scans tracked files
        scanned = self.run("-m", "detect_secrets", "scan", "--baseline", ".secrets.baseline")
        assert scanned.returncode == 0, scanned.stderr
        assert len(self.entries()) >= 5

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=self.repo.path, capture_output=True, text=True
        )

    def entries(self) -> list[dict[str, Any]]:
        data = json.loads((self.repo.path / ".secrets.baseline").read_text())
        return [e for entries in data["results"].values() for e in entries]


@pytest.fixture
def audited(repo: Repo, run_cli: RunCli) -> AuditRepo:
    return AuditRepo(repo, run_cli)


def drive(argv: list[str], cwd: Path, answers: str, timeout: float = 60) -> tuple[bytes, int]:
    """Run `argv` on a pseudo-terminal, answering each prompt with the next letter of
    `answers` (then `q`); everything the terminal showed, and the exit status."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "dumb", "COLUMNS": "120", "LINES": "40"}
    proc = subprocess.Popen(
        argv, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    screen, pending, answered = b"", list(answers), 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            prompts = sum(screen.count(p) for p in PROMPTS)
            if prompts > answered and screen.rstrip().endswith(b":"):
                os.write(master, (pending.pop(0) if pending else "q").encode() + b"\n")
                answered += 1
            elif proc.poll() is not None and not ready:
                break
        else:
            pytest.fail("the audit did not finish")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return screen, proc.wait()


def test_interactive_audit_on_a_terminal_shows_no_secret(audited: AuditRepo) -> None:
    count = len(audited.entries())
    # A six-letter password is in the baseline too: masked although it is short.
    assert hashed_secret(audited.pin) in {e["hashed_secret"] for e in audited.entries()}
    screen, code = drive(
        [sys.executable, "-m", "leakstop", "audit", ".secrets.baseline"],
        audited.repo.path,
        "yn" + "s" * (count - 2),
    )
    text = screen.decode("utf-8", "replace")
    assert code == 0, text
    assert_no_leak([text], audited.keys)
    # It is the real audit: the secrets' lines, redacted, and the labels saved.
    assert f"Secret:      1 of {count}" in _plain(text)
    assert f"ek-{audited.ek[3:5]}…{audited.ek[-2:]}" in text
    assert "Client(api_key=" in text and 'pin_password = "…"' in _plain(text)
    verdicts = [e.get("is_secret") for e in audited.entries()]
    assert verdicts.count(True) == 1 and verdicts.count(False) == 1


def test_neighbouring_lines_are_redacted_too(audited: AuditRepo) -> None:
    """The snippet around a secret shows the lines near it, including ones a pragma kept out
    of the baseline: a leakstop family's key, and a password only detect-secrets' keyword
    plugin knows."""
    screen, code = drive(
        [sys.executable, "-m", "leakstop", "audit", ".secrets.baseline"],
        audited.repo.path,
        "s" * len(audited.entries()),
    )
    text = screen.decode("utf-8", "replace")
    assert code == 0
    assert "SCRAPEBIT = " in text and "pragma: allowlist secret" in text
    assert f"sb_live_{audited.neighbour[8:10]}…" in text
    assert f'db_password = "{audited.quiet[:2]}…{audited.quiet[-2:]}"' in text
    assert_no_leak([text], audited.keys)


@pytest.mark.parametrize(
    "options",
    [["--report"], ["--report", "--only-real"], ["--stats"], ["--stats", "--json"]],
)
def test_non_interactive_outputs_show_no_secret(audited: AuditRepo, options: list[str]) -> None:
    ran = audited.run("-m", "leakstop", "audit", *options, ".secrets.baseline")
    assert ran.returncode == 0, ran.stderr
    assert_no_leak([ran.stdout, ran.stderr], audited.keys)
    if "--report" in options or "--json" in options:
        data = json.loads(ran.stdout)  # still valid JSON
        if "--report" in options:
            shown = {item["secrets"] for item in data["results"]}
            assert f"ek-{audited.ek[3:5]}…{audited.ek[-2:]}" in shown
            assert any(s.startswith("AK") and s.endswith(audited.aws[-2:]) for s in shown)


def test_plugin_entry_point_audit_is_redacted_as_well(audited: AuditRepo) -> None:
    ran = audited.run("-m", "leakstop.plugin", "audit", "--report", ".secrets.baseline")
    assert ran.returncode == 0, ran.stderr
    assert_no_leak([ran.stdout, ran.stderr], audited.keys)


def test_diff_of_two_baselines_shows_no_secret(audited: AuditRepo, tmp_path: Path) -> None:
    old = tmp_path / "old.baseline"
    data = json.loads((audited.repo.path / ".secrets.baseline").read_text())
    data["results"] = {}
    old.write_text(json.dumps(data))
    screen, code = drive(
        [sys.executable, "-m", "leakstop", "audit", "--diff", str(old), ".secrets.baseline"],
        audited.repo.path,
        "s" * len(audited.entries()),
    )
    text = screen.decode("utf-8", "replace")
    assert code == 0 and "Filename:" in text, text
    assert_no_leak([text], audited.keys)


def test_redactor_masks_known_values_in_every_printed_form() -> None:
    redactor = Redactor()
    odd = 'pa"ss\\w0rd-Zq9'
    redactor.add(odd)
    redactor.add("Abc12")  # short: only in code, and only where it stands alone
    redactor.add("ab")  # too short to mean anything: ignored
    key = new_key("syncline-user-key")
    text = f"{odd} {json.dumps(odd)} Abc12 xAbc12x ab {key}"
    for shown in (redactor(text), redactor(text, code=True)):
        assert odd not in shown and json.dumps(odd)[1:-1] not in shown
        assert "pa…q9" in shown and " ab " in shown and "xAbc12x" in shown
        assert f"sk_user_{key[8:10]}…{key[-2:]}" in shown
        assert_no_leak([shown], [key, odd])
    assert " Abc12 " in redactor(text)
    assert " Abc12 " not in redactor(text, code=True) and " … " in redactor(text, code=True)


def _plain(text: str) -> str:
    """The text without ANSI colour codes."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)
