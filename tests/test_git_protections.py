"""A scanned repository is untrusted: settings in its own `.git/config` that name programs
(or hide text) never take effect, in any mode that reads it. Each attack plants a script
that leaves a marker file when run; the marker must never appear, and the keys must all be
found."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from leakstop import git
from tests.testing import Outcome, Repo, init_repo, new_key

Runner = Callable[..., Outcome]


def _script(tmp: Path, name: str) -> tuple[Path, Path]:
    """An executable that records that it ran (in `marker`) and prints nothing."""
    marker = tmp / f"{name}.ran"
    script = tmp / f"{name}.sh"
    script.write_text(f"#!/bin/sh\necho ran >> '{marker}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, marker


def _signed_commit(repo: Repo, message: str) -> str:
    """A commit carrying a (fake) gpg signature header, so git would call gpg.program to
    check it wherever signatures are shown."""
    tree = repo.git("write-tree").strip()
    parent = repo.git("rev-parse", "HEAD").strip()
    body = (
        f"tree {tree}\nparent {parent}\n"
        "author Test Dev <dev@example.invalid> 1700000000 +0000\n"
        "committer Test Dev <dev@example.invalid> 1700000000 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n"
        f"\n{message}\n"
    )
    sha = repo.git("hash-object", "-t", "commit", "-w", "--stdin", input=body.encode()).strip()
    repo.git("update-ref", "HEAD", sha)
    return sha


def _repo_with_keys(tmp: Path) -> tuple[Repo, list[str], str]:
    """A repository whose two commits add three keys: one in a file .gitattributes calls
    binary (-diff), one in a file with a textconv driver, one in plain text."""
    repo = init_repo(tmp / "repo")
    repo.stage("README.md", "hello\n")
    # Changed (not new) files: git diffs their old and new blobs for context.
    repo.stage("deps.lock", "token = none\n")
    repo.stage("notes.conv", "nothing yet\n")
    base = repo.commit("base")
    keys = [
        new_key("electronhub-api-key"),
        new_key("scrapebit-api-key"),
        new_key("syncline-user-key"),
    ]
    repo.stage(".gitattributes", "deps.lock -diff\n*.conv diff=conv\nfilt.txt filter=evil\n")
    repo.stage("deps.lock", f'token = none\ntoken = "{keys[0]}"\n')
    repo.stage("notes.conv", f'nothing yet\nSCRAPEBIT_API_KEY="{keys[1]}"\n')
    repo.stage("filt.txt", "nothing here\n")
    repo.commit("add deps")
    repo.stage("app.env", f"SYNCLINE_API_KEY={keys[2]}\n")
    _signed_commit(repo, "signed commit with a key")
    repo.stage("staged.txt", "nothing\n")  # for --staged, before any attack is configured
    return repo, keys, base


_ATTACKS = {
    "gpg": lambda s: {"log.showSignature": "true", "gpg.program": s},
    "diff.external": lambda s: {"diff.external": s},
    "textconv": lambda s: {"diff.conv.textconv": s, "diff.conv.command": s},
    "fsmonitor": lambda s: {"core.fsmonitor": s},
    "pager": lambda s: {"core.pager": s, "pager.log": s, "pager.diff": s},
    "filters": lambda s: {
        "filter.evil.clean": s,
        "filter.evil.smudge": s,
        "filter.evil.process": s,
        "filter.evil.required": "true",
    },
    "aliases": lambda s: {f"alias.{c}": f"!{s}" for c in ("log", "rev-list", "diff", "cat-file")},
    "credentials-and-ssh": lambda s: {
        "credential.helper": f"!{s}",
        "core.sshCommand": s,
        "core.askPass": s,
        "core.gitProxy": s,
    },
}


def _configure(repo: Repo, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        repo.git("config", name, value)


def _hooks(repo: Repo, script: Path) -> None:
    """Every hook git knows, in the repository's own hooks directory and a hooksPath."""
    for folder in (repo.path / ".git" / "hooks", repo.path / "evil-hooks"):
        folder.mkdir(exist_ok=True)
        for name in ("pre-commit", "post-checkout", "reference-transaction", "pre-auto-gc"):
            (folder / name).write_text(script.read_text())
            (folder / name).chmod(0o755)
    repo.git("config", "core.hooksPath", str(repo.path / "evil-hooks"))


def _every_mode(run_cli: Runner, repo: Repo, base: str, keys: list[str]) -> dict[str, Outcome]:
    """leakstop's modes that read a repository, each on this one."""
    bare = repo.path.parent / "remote.git"
    if not bare.exists():
        subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    head = repo.git("rev-parse", "HEAD").strip()
    push_line = f"refs/heads/main {head} refs/heads/main {'0' * 40}\n"
    return {
        "files": run_cli(["scan", "--format", "json"], repo.path, keys),
        "staged": run_cli(["scan", "--staged", "--format", "json"], repo.path, keys),
        "history": run_cli(["scan", "--history", "--format", "json"], repo.path, keys),
        "range": run_cli(["scan", "--range", f"{base}..HEAD", "--format", "json"], repo.path, keys),
        "pre-push": run_cli(
            ["scan", "--pre-push", "origin", str(bare), "--format", "json"],
            repo.path,
            keys,
            stdin=push_line,
        ),
        "sweep": run_cli(
            ["sweep", str(repo.path), "--format", "json", "--cache", str(repo.path.parent / "c")],
            repo.path.parent,
            keys,
        ),
    }


def _reported_hashes(outcome: Outcome) -> set[str]:
    report = json.loads(outcome.out)
    return {f["hashed_secret"] for f in report["findings"]}


@pytest.mark.parametrize("attack", sorted(_ATTACKS))
def test_repository_config_never_runs_a_program(
    attack: str, tmp_path: Path, run_cli: Runner
) -> None:
    repo, keys, base = _repo_with_keys(tmp_path)
    script, marker = _script(tmp_path, attack)
    _configure(repo, _ATTACKS[attack](str(script)))
    outcomes = _every_mode(run_cli, repo, base, keys)
    assert not marker.exists(), f"{attack}: the repository's program ran"
    from leakstop.secrets_text import hashed_secret

    expected = {hashed_secret(k) for k in keys}
    for mode in ("history", "range", "pre-push", "sweep"):
        assert outcomes[mode].code == 1, (mode, outcomes[mode].err)
        assert _reported_hashes(outcomes[mode]) == expected, mode
    for mode in ("files",):
        assert _reported_hashes(outcomes[mode]) == expected, mode


def test_hooks_never_run(tmp_path: Path, run_cli: Runner) -> None:
    repo, keys, base = _repo_with_keys(tmp_path)
    script, marker = _script(tmp_path, "hook")
    _hooks(repo, script)
    outcomes = _every_mode(run_cli, repo, base, keys)
    assert not marker.exists()
    assert outcomes["history"].code == 1


def test_users_own_external_diff_does_not_hide_a_key(tmp_path: Path, run_cli: Runner) -> None:
    """An honest user's ~/.gitconfig with a difftastic-style diff.external (and the
    GIT_EXTERNAL_DIFF variable) must not turn a file into "binary" and lose its key."""
    repo, keys, base = _repo_with_keys(tmp_path)
    script, marker = _script(tmp_path, "difftool")
    home = Path(os.environ["HOME"])
    (home / ".gitconfig").write_text(f"[diff]\n\texternal = {script}\n")
    os.environ["GIT_EXTERNAL_DIFF"] = str(script)
    try:
        outcomes = _every_mode(run_cli, repo, base, keys)
    finally:
        del os.environ["GIT_EXTERNAL_DIFF"]
    assert not marker.exists()
    assert len(json.loads(outcomes["history"].out)["findings"]) == 3
    assert "Not scanned" not in outcomes["history"].out


def test_lazy_fetch_of_a_partial_clone_never_reaches_a_transport(
    tmp_path: Path, run_cli: Runner
) -> None:
    """A 'partial clone' whose promisor remote is an ext:: command: reading a missing
    object would fetch it through that command. No transport is allowed on a scanned
    repository, whatever its protocol.*.allow says."""
    repo, keys, _ = _repo_with_keys(tmp_path)
    script, marker = _script(tmp_path, "transport")
    _configure(
        repo,
        {
            "remote.origin.url": f"ext::{script} %S",
            "remote.origin.promisor": "true",
            "remote.origin.partialclonefilter": "blob:none",
            "extensions.partialClone": "origin",
            "protocol.ext.allow": "always",
            "protocol.allow": "always",
            "remote.origin.uploadpack": str(script),
        },
    )
    repo.git("config", "core.repositoryformatversion", "1")
    # Remove one blob so that git must try to fetch it.
    blob = repo.git("rev-parse", "HEAD:app.env").strip()
    loose = repo.path / ".git" / "objects" / blob[:2] / blob[2:]
    loose.unlink()
    run_cli(["scan", "--history", "--format", "json"], repo.path, keys)
    assert not marker.exists()


def test_replace_refs_and_grafts_cannot_hide_a_commit(tmp_path: Path, run_cli: Runner) -> None:
    repo = init_repo(tmp_path / "repo")
    repo.stage("README.md", "hello\n")
    repo.commit("base")
    key = new_key("scrapebit-api-key")
    repo.stage("config.env", f"SCRAPEBIT_API_KEY={key}\n")
    leaky = repo.commit("add key")
    repo.stage("config.env", "SCRAPEBIT_API_KEY=${SCRAPEBIT_API_KEY}\n")
    fixed = repo.commit("remove key")
    # A replacement object shows the leaky commit as an innocent one...
    innocent = repo.git(
        "commit-tree", "-m", "innocent", repo.git("rev-parse", "HEAD~2^{tree}").strip()
    )
    repo.git("replace", leaky, innocent.strip())
    # ...and a graft cuts it out of the walk altogether.
    (repo.path / ".git" / "info").mkdir(exist_ok=True)
    (repo.path / ".git" / "info" / "grafts").write_text(f"{fixed}\n")
    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, [key])
    assert outcome.code == 1, outcome.err
    assert len(json.loads(outcome.out)["findings"]) == 1


@pytest.mark.parametrize(
    "settings",
    [
        {"diff.relative": "true"},
        {"log.showRoot": "false"},
        {"core.bigFileThreshold": "1"},
        {"diff.mnemonicPrefix": "true", "diff.noprefix": "true"},
        {"core.quotePath": "true", "color.ui": "always", "color.diff": "always"},
    ],
    ids=lambda s: ",".join(s),
)
def test_repository_settings_cannot_hide_text(
    settings: dict[str, str], tmp_path: Path, run_cli: Runner
) -> None:
    repo = init_repo(tmp_path / "repo")
    first, second, staged = (new_key("electronhub-api-key") for _ in range(3))
    keys = [first, second, staged]
    repo.stage("deep/dir/é.env", f"ELECTRONHUB_API_KEY={first}\n")
    repo.commit("root commit holds a key")
    (repo.path / "sub").mkdir()
    repo.stage("sub/x.txt", "x\n")
    repo.stage("deep/other.env", f"ELECTRONHUB_API_KEY={second}\n")  # outside sub/
    repo.commit("second")
    _configure(repo, settings)
    sub = repo.path / "sub"  # where a relative diff would look only
    history = run_cli(["scan", "--history", "--format", "json"], sub, keys)
    assert history.code == 1, history.err
    files = sorted(f["file"] for f in json.loads(history.out)["findings"])
    assert files == ["deep/dir/é.env", "deep/other.env"]
    ranged = run_cli(["scan", "--range", "HEAD~1..HEAD", "--format", "json"], sub, keys)
    assert [f["file"] for f in json.loads(ranged.out)["findings"]] == ["deep/other.env"]
    repo.stage("deep/dir/third.env", f"ELECTRONHUB_API_KEY={staged}\n")
    outcome = run_cli(["scan", "--staged", "--format", "json"], sub, keys)
    assert [f["file"] for f in json.loads(outcome.out)["findings"]] == ["deep/dir/third.env"]


def _foreign_owned(repo: Repo) -> None:
    for path in [repo.path, *repo.path.rglob("*")]:
        os.lchown(path, 12345, 12345)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository away")
@pytest.mark.parametrize("args", [["scan"], ["scan", "--staged"], ["scan", "--history"]])
def test_dubious_ownership_is_named_not_walked(
    args: list[str], tmp_path: Path, run_cli: Runner
) -> None:
    repo = init_repo(tmp_path / "repo")
    key = new_key("electronhub-api-key")
    repo.stage("app.env", f"ELECTRONHUB_API_KEY={key}\n")
    repo.commit("key")
    _foreign_owned(repo)
    outcome = run_cli(args, repo.path, [key])
    assert outcome.code == 2
    assert outcome.err.count("\n") == 1, outcome.err
    assert "dubious ownership" in outcome.err
    assert "safe.directory" in outcome.err
    assert "not inside" not in outcome.err


def test_every_command_line_carries_the_protections() -> None:
    """The argv builder is the single place: diff-producing commands refuse external
    diff and textconv on their own command line too."""
    for sub in ("log", "diff", "show", "diff-tree"):
        argv = git.command([sub, "-p"])
        assert argv[argv.index(sub) + 1 : argv.index(sub) + 3] == ["--no-ext-diff", "--no-textconv"]
    argv = git.command(["rev-parse", "HEAD"])
    joined = " ".join(argv)
    for setting in ("core.fsmonitor=false", "core.hooksPath=/dev/null", "protocol.allow=never"):
        assert setting in joined
    assert "core.hooksPath=/dev/null" not in " ".join(git.command(["commit"], hooks=True))
    remote = " ".join(git.command(["clone"], remote=True))
    assert "credential.helper=" not in remote and "core.fsmonitor=false" in remote
    assert git.environment()["GIT_ALLOW_PROTOCOL"] == ""
    assert git.environment(remote=True)["GIT_ALLOW_PROTOCOL"] == git.REMOTE_PROTOCOLS


def test_files_mode_in_a_bare_repository_points_at_history(tmp_path: Path, run_cli: Runner) -> None:
    repo = init_repo(tmp_path / "repo")
    key = new_key("scrapebit-api-key")
    repo.stage("app.env", f"SCRAPEBIT_API_KEY={key}\n")
    repo.commit("key")
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo.path), str(bare)], check=True)
    outcome = run_cli(["scan"], bare, [key])
    assert outcome.code == 2 and "--history" in outcome.err
    assert run_cli(["scan", "--history"], bare, [key]).code == 1
