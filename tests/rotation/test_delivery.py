"""Where a new key goes: dotenv files kept byte for byte (owner, group, mode, symlinks, CRLF),
file deliveries never in a shared directory, malformed --deliver values as one-line errors,
and the documented recipes for secret managers, each run against stand-in executables that
record their arguments and stdin."""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import stat
import sys
from pathlib import Path

import pytest

from leakstop.simulator import SimulatorControl
from tests.testing import PROJECT, Outcome, Repo, RunCli, assert_no_leak, rotate, rotate_calls

DOCS = PROJECT / "docs" / "rotation.md"


def _rotate(
    run_cli: RunCli, key: str, cwd: Path, spec: str, provider: str = "electronhub"
) -> Outcome:
    return rotate(run_cli, provider, key, cwd, "--deliver", spec)


# -- dotenv ----------------------------------------------------------------------------------


def test_dotenv_keeps_every_other_byte_and_updates_every_assignment(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    old = control.create_account("electronhub", "master").key
    original = (
        b"# prod settings\r\n"
        b'export EH_KEY="' + old.encode() + b'"  # rotated by hand\r\n'
        b"OTHER=caf\xe9\r\n"  # not UTF-8
        b"\r\n"
        b"EH_KEY=" + old.encode() + b"\r\n"
        b"# EH_KEY=the old one, see the vault\r\n"
        b"EH_KEY_2=keep\r\n"
        b"   EH_KEY = '" + old.encode() + b"'\r\n"
        b"LAST=no-newline"
    )
    real = tmp_path / "config" / "app.env"
    real.parent.mkdir()
    real.write_bytes(original)
    real.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(real, 1234, 5678)
    link = tmp_path / ".env"
    link.symlink_to(real)
    before = os.stat(real)

    outcome = _rotate(run_cli, old, tmp_path, f"dotenv:{link}:EH_KEY")
    assert outcome.code == 0, outcome.out + outcome.err
    assert f"EH_KEY in {link} (3 assignments)" in outcome.out

    assert link.is_symlink() and os.readlink(link) == str(real)
    data = real.read_bytes()
    new = re.search(rb"\nEH_KEY=(\S+)\r\n", data)
    assert new is not None
    new_key = new.group(1).decode()
    assert new_key.startswith("ek-") and new_key != old
    assert data == original.replace(old.encode(), new_key.encode())
    after = os.stat(real)
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert sorted(p.name for p in real.parent.iterdir()) == ["app.env"]  # no temporary left
    assert_no_leak([outcome.out, outcome.err], [new_key])


@pytest.mark.parametrize(
    ("before", "after", "count"),
    [
        (b"K=old\n", b"K=NEW\n", 1),
        (b"K=\n", b"K=NEW\n", 1),
        (b"export K='old' # note\r\n", b"export K='NEW' # note\r\n", 1),
        (b'K="o\\"ld"\n', b'K="NEW"\n', 1),
        (b"KEY=old\nK2=old\n#K=old\n", b"KEY=old\nK2=old\n#K=old\nK=NEW\n", 0),
        (b"A=1\r\nB=2", b"A=1\r\nB=2\r\nK=NEW\r\n", 0),
        (b"", b"K=NEW\n", 0),
        (b"K=old\rA=1\r", b"K=NEW\rA=1\r", 1),
    ],
)
def test_dotenv_render_cases(before: bytes, after: bytes, count: int) -> None:
    from leakstop.rotation import dotenv

    assert dotenv.render(before, "K", "NEW") == (after, count)


def test_dotenv_with_hard_links_is_rewritten_in_place(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    old = control.create_account("scrapebit", "live").key
    env = tmp_path / "app.env"
    env.write_text(f"SB_KEY={old}\n")
    twin = tmp_path / "twin.env"
    os.link(env, twin)
    outcome = _rotate(run_cli, old, tmp_path, f"dotenv:{env}:SB_KEY", "scrapebit")
    assert outcome.code == 0, outcome.out
    assert os.stat(env).st_ino == os.stat(twin).st_ino
    assert twin.read_text() == env.read_text() != f"SB_KEY={old}\n"


def test_dotenv_that_cannot_be_kept_is_refused_before_any_call(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    folder = tmp_path / "env-dir"
    folder.mkdir()
    outcome = _rotate(run_cli, key, tmp_path, f"dotenv:{folder}:SYNCLINE_KEY", "syncline")
    assert outcome.code == 2 and "is not a regular file" in outcome.err
    fifo = tmp_path / "fifo.env"
    os.mkfifo(fifo)
    outcome = _rotate(run_cli, key, tmp_path, f"dotenv:{fifo}:SYNCLINE_KEY", "syncline")
    assert outcome.code == 2 and "is not a regular file" in outcome.err
    assert control.calls() == []


# -- file: never in a shared directory -------------------------------------------------------


def test_file_delivery_into_a_shared_directory_uses_a_private_one(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("ecgrid", "api").key
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    outcome = _rotate(run_cli, key, tmp_path, f"file:{shared}", "ecgrid")
    assert outcome.code == 0, outcome.out + outcome.err
    own = shared / f"leakstop-keys-{os.geteuid()}"
    [key_file] = list(own.glob("*.key"))
    assert str(key_file) in outcome.out
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in shared.iterdir()] == [own.name]


def test_file_delivery_into_a_readable_directory_of_ones_own(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("syncline", "user").key
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    mine.chmod(0o755)
    assert _rotate(run_cli, key, tmp_path, f"file:{mine}", "syncline").code == 0
    own = mine / f"leakstop-keys-{os.geteuid()}"
    assert len(list(own.glob("*.key"))) == 1
    assert stat.S_IMODE(own.stat().st_mode) == 0o700


@pytest.mark.parametrize("planted", ["symlink", "open-dir", "foreign-dir"])
def test_a_planted_directory_in_a_shared_one_is_refused(
    planted: str, control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    key = control.create_account("electronhub", "master").key
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    bait = tmp_path / "attacker"
    bait.mkdir()
    own = shared / f"leakstop-keys-{os.geteuid()}"
    if planted == "symlink":
        own.symlink_to(bait)
    elif planted == "open-dir":
        own.mkdir()
        own.chmod(0o777)
    else:
        if os.geteuid() != 0:
            pytest.skip("making a directory of another user needs root")
        own.mkdir(mode=0o700)
        os.chown(own, 4321, 4321)
    outcome = _rotate(run_cli, key, tmp_path, f"file:{shared}")
    assert outcome.code == 2
    assert "refusing to put a key there" in outcome.err
    assert len(outcome.err.strip().splitlines()) == 1
    assert control.calls() == []
    assert list(bait.iterdir()) == []


def test_a_dangling_dotenv_link_cannot_place_the_new_key(
    control: SimulatorControl, run_cli: RunCli, tmp_path: Path
) -> None:
    """A `.env` a scanned repository brought as a symlink to a file that does not exist
    would have the new key created where the link points (a directory its author reads):
    refused before any call."""
    key = control.create_account("electronhub", "master").key
    bait_dir = tmp_path / "elsewhere"
    bait_dir.mkdir()
    bait = bait_dir / "collected.env"
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".env").symlink_to(bait)
    outcome = _rotate(run_cli, key, checkout, "dotenv:.env:EH_KEY")
    assert outcome.code == 2, outcome.err
    assert "symlink" in outcome.err and len(outcome.err.strip().splitlines()) == 1
    assert control.calls() == []
    assert not bait.exists()


@pytest.mark.parametrize(
    ("linked", "spec"),
    [
        (".env", "dotenv:.env:EH_KEY"),  # a linked file
        ("config", "dotenv:config/.env:EH_KEY"),  # a file in a linked directory
        ("config", "file:config"),  # a key-file directory that is a link
    ],
)
def test_a_symlink_the_repository_tracks_cannot_redirect_the_new_key(
    control: SimulatorControl, run_cli: RunCli, repo: Repo, tmp_path: Path, linked: str, spec: str
) -> None:
    """A checkout whose committed `.env` (or `config/` directory) is a symlink to a place
    outside it would have the new key written there, where its author chose (for root,
    anywhere): refused before any call, and nothing there changes."""
    key = control.create_account("electronhub", "master").key
    bait_dir = tmp_path / "elsewhere"
    bait_dir.mkdir()
    bait = bait_dir / ".env"
    bait.write_text("EH_KEY=placeholder\n")
    (repo.path / linked).symlink_to(bait if linked == ".env" else bait_dir)
    repo.git("add", linked)
    repo.commit("link")
    outcome = _rotate(run_cli, key, repo.path, spec)
    assert outcome.code == 2, outcome.out + outcome.err
    assert "a symlink the repository brought" in outcome.err
    assert len(outcome.err.strip().splitlines()) == 1
    assert control.calls() == []
    assert bait.read_text() == "EH_KEY=placeholder\n"
    assert sorted(p.name for p in bait_dir.iterdir()) == [".env"]


def test_a_symlink_of_the_users_own_still_delivers(
    control: SimulatorControl, run_cli: RunCli, repo: Repo, tmp_path: Path
) -> None:
    """The user's own link (untracked and ignored, like a `.env` set up by hand) is followed:
    only what the repository brought is refused."""
    key = control.create_account("electronhub", "master").key
    repo.stage(".gitignore", ".env\n")
    repo.commit("ignore .env")
    real = tmp_path / "secrets" / "app.env"
    real.parent.mkdir()
    real.write_text(f"EH_KEY={key}\n")
    (repo.path / ".env").symlink_to(real)
    outcome = _rotate(run_cli, key, repo.path, "dotenv:.env:EH_KEY")
    assert outcome.code == 0, outcome.out + outcome.err
    assert key not in real.read_text() and real.read_text().startswith("EH_KEY=ek-")


# -- malformed --deliver values -------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ('exec:"sh -c \'x"', "is not an executable"),  # one word: `sh -c 'x`
        ("exec:sh -c 'x", "--deliver exec: the command cannot be split"),
        ("exec:", "--deliver exec: needs a command"),
        ("exec:''", "--deliver exec: needs a command"),
        ("exec:no-such-program-xyz --store", "is not an executable"),
        ("", "--deliver is empty"),
        ("   ", "--deliver is empty"),
        ("ftp://example/keys", "unknown kind of target"),
        ("vault", "unknown kind of target"),
        ("file:", "--deliver file: needs a directory"),
        ("dotenv:", "--deliver dotenv: needs PATH:VAR"),
        ("dotenv:app.env", "needs PATH:VAR"),
        ("dotenv:app.env:", "the variable name must be"),
        ("dotenv:app.env:1KEY", "the variable name must be"),
        ("file:/tmp/a\nb", "control character"),
    ],
)
def test_malformed_deliver_values_are_one_line_errors(
    spec: str, message: str, control: SimulatorControl, run_cli: RunCli, tmp_path: Path, repo: Repo
) -> None:
    key = control.create_account("electronhub", "master").key
    outcome = _rotate(run_cli, key, tmp_path, spec)
    assert outcome.code == 2
    assert message in outcome.err
    assert len(outcome.err.strip().splitlines()) == 1
    assert "internal error" not in outcome.err
    repo.stage(".env", f"EH_KEY={key}\n")
    scan = run_cli(
        ["scan", "--staged", "--rotate", "--yes", "--deliver", spec], repo.path, keys=[key]
    )
    assert scan.code == 2 and message in scan.err
    assert len(rotate_calls(control)) == 0


# -- recipes for secret managers --------------------------------------------------------------

STAND_IN = """#!{python}
import base64, json, os, sys
name, args = os.path.basename(sys.argv[0]), sys.argv[1:]
record = {{"tool": name, "argv": args, "stdin": None}}
if name == "op" and args[:2] == ["item", "get"]:
    print(json.dumps({{"id": "abc", "title": args[2], "fields": [
        {{"id": "username", "label": "username", "value": "ci-bot"}},
        {{"id": "credential", "label": "credential", "value": "old"}}]}}))
elif name == "kubectl" and args[:1] == ["create"]:
    source = next(a.split("=", 2)[2] for a in args if a.startswith("--from-file="))
    record["stdin"] = open(source).read()
    value = base64.b64encode(record["stdin"].encode()).decode()
    print("apiVersion: v1\\nkind: Secret\\ndata:\\n  api-key: " + value)
elif name == "jq":  # only where no real jq is installed: the op recipe's one filter
    field, key_file = args[args.index("--arg") + 2], args[args.index("--rawfile") + 2]
    item = json.load(sys.stdin)
    for entry in item["fields"]:
        if field in (entry["id"], entry["label"]):
            entry["value"] = open(key_file).read()
    print(json.dumps(item))
else:
    record["stdin"] = sys.stdin.read()
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
"""


def _recipes() -> dict[str, str]:
    """tool -> the --deliver value of its recipe in docs/rotation.md."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### Delivery recipes") :]
    recipes = {}
    for line in section.splitlines():
        if line.startswith("leakstop ") and "--deliver" in line:
            words = shlex.split(os.path.expandvars(line))
            spec = words[words.index("--deliver") + 1]
            tool = next(t for t in ("gh", "vault", "aws", "doppler", "kubectl", "op") if t in spec)
            recipes[tool] = spec
    return recipes


def _op_script() -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("#!/bin/sh\n# ~/bin/op-store-key")
    return text[start : text.index("```", start)]


def test_every_recipe_named_in_the_issue_is_documented() -> None:
    assert set(_recipes()) == {"gh", "vault", "aws", "doppler", "kubectl", "op"}


@pytest.mark.parametrize("tool", ["gh", "vault", "aws", "doppler", "kubectl", "op"])
def test_delivery_recipe_puts_the_key_on_stdin_only(
    tool: str,
    control: SimulatorControl,
    run_cli: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    names = ["gh", "vault", "aws", "doppler", "kubectl", "op"]
    if shutil.which("jq") is None:
        names.append("jq")
    for name in names:
        stand_in = bin_dir / name
        stand_in.write_text(STAND_IN.format(python=sys.executable))
        stand_in.chmod(0o755)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("STAND_IN_LOG", str(log))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    home_bin = Path(os.environ["HOME"]) / "bin"
    home_bin.mkdir(exist_ok=True)
    (home_bin / "op-store-key").write_text(_op_script())
    (home_bin / "op-store-key").chmod(0o755)

    old = control.create_account("electronhub", "master").key
    outcome = _rotate(run_cli, old, tmp_path, _recipes()[tool])
    assert outcome.code == 0, outcome.out + outcome.err
    assert "rotated" in outcome.out
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    stdin_of = {tuple(c["argv"][:2]): c["stdin"] for c in calls}
    if tool == "op":
        edit = next(c for c in calls if c["argv"][:2] == ["item", "edit"])
        item = json.loads(edit["stdin"])
        values = {f["id"]: f["value"] for f in item["fields"]}
        new_key = values["credential"]
        assert values == {"username": "ci-bot", "credential": new_key}
    else:
        new_key = next(c["stdin"] for c in calls if c["stdin"])
    assert new_key.startswith("ek-") and new_key != old
    if tool == "kubectl":
        assert stdin_of[("create", "secret")] == new_key
        apply = next(c for c in calls if c["argv"][:1] == ["apply"])
        assert base64.b64encode(new_key.encode()).decode() in apply["stdin"]
    elif tool != "op":
        [call] = calls
        assert call["tool"] == tool and call["stdin"] == new_key  # exactly the key
    for call in calls:
        assert_no_leak([" ".join(call["argv"])], [new_key, old])
    assert_no_leak([outcome.out, outcome.err], [new_key])
