"""`leakstop allow` at its edges: the last acceptance of a file withdrawn, a hash prefix that
names two keys, a file outside the repository, a baseline without results or kept outside
the repository, and an author known by name or email only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leakstop.secrets_text import hashed_secret
from tests.testing import Repo, RunCli, new_key

BASELINE = ".secrets.baseline"


def _results(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data["results"]


def test_withdrawing_a_files_last_acceptance_drops_the_file(repo: Repo, run_cli: RunCli) -> None:
    one, other = new_key("scrapebit-api-key"), new_key("syncline-user-key")
    repo.stage("a.py", f'A = "{one}"\n')
    repo.stage("b.py", f'B = "{other}"\n')
    for spec in ("a.py:1", "b.py:1"):
        assert run_cli(["allow", spec, "-m", "fixture"], repo.path, keys=[one, other]).code == 0
    outcome = run_cli(["allow", "--remove", hashed_secret(one)], repo.path, keys=[one, other])
    assert outcome.code == 0, outcome.err
    assert set(_results(repo.path / BASELINE)) == {"b.py"}


def test_a_hash_prefix_naming_two_keys_is_refused(repo: Repo, run_cli: RunCli) -> None:
    entries = {
        name: [{"type": "Scrapebit API Key", "hashed_secret": digest, "line_number": 1}]
        for name, digest in (("a.py", "abcdef01" + "0" * 32), ("b.py", "abcdef02" + "0" * 32))
    }
    repo.write(BASELINE, json.dumps({"version": "1.5.0", "results": entries}))
    before = (repo.path / BASELINE).read_text()
    outcome = run_cli(["allow", "--remove", "abcdef"], repo.path)
    assert outcome.code == 2
    assert "'abcdef' matches 2 keys; give more of the hash" in outcome.err
    assert (repo.path / BASELINE).read_text() == before
    assert run_cli(["allow", "--remove", "abcdef02"], repo.path).code == 0
    assert set(_results(repo.path / BASELINE)) == {"a.py"}


def test_a_file_outside_the_repository_is_refused(
    repo: Repo, run_cli: RunCli, tmp_path: Path
) -> None:
    key = new_key("electronhub-api-key")
    (tmp_path / "outside.py").write_text(f'K = "{key}"\n')
    outcome = run_cli(["allow", "../outside.py:1", "-m", "x"], repo.path, keys=[key])
    assert outcome.code == 2
    assert "../outside.py is outside the repository" in outcome.err
    assert not (repo.path / BASELINE).exists()


def test_a_baseline_without_results_is_refused_by_its_path(
    repo: Repo, run_cli: RunCli, tmp_path: Path
) -> None:
    key = new_key("electronhub-api-key")
    repo.stage("cfg.py", f'K = "{key}"\n')
    outside = tmp_path / "shared.baseline"
    outside.write_text('{"version": "1.5.0"}')
    outcome = run_cli(
        ["allow", "cfg.py:1", "-m", "x", "--baseline", str(outside)], repo.path, keys=[key]
    )
    assert outcome.code == 2
    # Outside the repository it is named by its full path.
    assert f"baseline {outside} has no 'results' object" in outcome.err
    assert outside.read_text() == '{"version": "1.5.0"}'


@pytest.mark.parametrize(
    ("name", "email", "by"),
    [
        ("Only Name", None, "Only Name"),
        (None, "only@example.invalid", "only@example.invalid"),
        (None, None, "unknown"),
    ],
)
def test_the_author_is_whatever_git_config_knows(
    repo: Repo, run_cli: RunCli, name: str | None, email: str | None, by: str
) -> None:
    for field, value in (("user.name", name), ("user.email", email)):
        repo.git("config", "--unset", field)
        if value is not None:
            repo.git("config", field, value)
    key = new_key("scrapebit-api-key")
    repo.stage("cfg.py", f'K = "{key}"\n')
    assert run_cli(["allow", "cfg.py:1", "-m", "test fixture"], repo.path, keys=[key]).code == 0
    [entry, *_] = _results(repo.path / BASELINE)["cfg.py"]
    assert entry["accepted_by"] == by


def test_a_plugin_file_already_there_is_left_as_it_is(repo: Repo, run_cli: RunCli) -> None:
    """The first acceptance creates the baseline; a plugin file the project already has
    (perhaps edited) is not rewritten."""
    from leakstop.plugin.wiring import PLUGIN_FILE

    own = "# the project's own copy\nfrom leakstop.plugin.detectors import *  # noqa\n"
    repo.write(PLUGIN_FILE, own)
    key = new_key("electronhub-api-key")
    repo.stage("cfg.py", f'K = "{key}"\n')
    outcome = run_cli(["allow", "cfg.py:1", "-m", "fixture"], repo.path, keys=[key])
    assert outcome.code == 0, outcome.err
    assert (repo.path / BASELINE).is_file()
    assert (repo.path / PLUGIN_FILE).read_text() == own
