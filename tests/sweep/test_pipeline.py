"""sweep/pipeline.py without the command line: everything the user sees arrives through the
callbacks (`say`, `write`), the one question through `confirm`, and the exit code is
returned, not raised; real repositories, real HTTP to the simulator."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from leakstop.rotation.apply import Confirm
from leakstop.rotation.engine import Target
from leakstop.secrets_text import hashed_secret
from leakstop.simulator import SimulatorControl
from leakstop.sweep.pipeline import SweepOptions, merge_and_report, sweep_and_report
from tests.testing import Repo, assert_no_leak, init_repo, new_key


def _refuse(asked: list[list[str]]) -> Confirm:
    def confirm(found: Sequence[Target]) -> bool:
        asked.append([t.redacted for t in found])
        return False

    return confirm


def _never(found: Sequence[Target]) -> bool:
    raise AssertionError("nothing to confirm without --rotate")


def _discard(text: str) -> None:
    pass


def test_sweep_speaks_only_through_its_callbacks(repo: Repo, tmp_path: Path) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("app.env", f"SB={key}\n")
    repo.commit("add key")
    said: list[str] = []
    written: list[str] = []
    options = SweepOptions(targets=[str(repo.path)], cache_dir=str(tmp_path / "c"), fmt="json")
    code = sweep_and_report(
        options, cwd=tmp_path, confirm=_never, say=said.append, write=written.append
    )
    assert code == 1
    (rendered,) = written
    (finding,) = json.loads(rendered)["findings"]
    assert finding["hashed_secret"] == hashed_secret(key) and finding["file"] == "app.env"
    # Remarks come without the CLI's "leakstop: " prefix; the summary is the last one.
    assert said[-1] == "1 finding(s) in 1 repository"
    assert not any(line.startswith("leakstop:") for line in said)
    assert_no_leak([*said, rendered], [key])


def test_declined_rotation_is_asked_through_confirm_and_changes_nothing(
    control: SimulatorControl, tmp_path: Path
) -> None:
    key, _ = control.create_account("scrapebit")
    repo = init_repo(tmp_path / "repo")
    repo.stage("app.env", f"SB={key}\n")
    repo.commit("add key")
    asked: list[list[str]] = []
    said: list[str] = []
    written: list[str] = []
    options = SweepOptions(
        targets=[str(repo.path)],
        cache_dir=str(tmp_path / "c"),
        fmt="json",
        rotate=True,
        yes=True,  # no terminal here; the question still goes to `confirm`
        call_interval=0,
    )
    code = sweep_and_report(
        options, cwd=tmp_path, confirm=_refuse(asked), say=said.append, write=written.append
    )
    assert code == 1  # still leaked: the rotation was declined
    assert len(asked) == 1 and len(asked[0]) == 1 and asked[0][0].startswith("sb_live_")
    assert hashed_secret(key) in {str(a["key_sha1"]) for a in control.accounts()}
    (finding,) = json.loads(written[0])["findings"]
    assert finding["verified"] == "live"
    assert finding["rotation"]["status"] == "skipped"
    assert said[-1].startswith("rotation: 0 rotated, 0 already invalid, 0 failed, 1 skipped")
    assert_no_leak([*said, *written], [key])


def test_merge_returns_the_unsharded_exit_code(repo: Repo, tmp_path: Path) -> None:
    key = new_key("electronhub-api-key")
    repo.stage("k.py", f'K = "{key}"\n')
    repo.commit("add key")
    shards: list[Path] = []
    for index in (1, 2):
        written: list[str] = []
        options = SweepOptions(
            targets=[str(repo.path)],
            cache_dir=str(tmp_path / f"c{index}"),
            shard=f"{index}/2",
            fmt="json",
        )
        sweep_and_report(options, cwd=tmp_path, confirm=_never, say=_discard, write=written.append)
        shards.append(tmp_path / f"shard{index}.json")
        shards[-1].write_text(written[0], encoding="utf-8")
    said: list[str] = []
    merged: list[str] = []
    code = merge_and_report(
        [str(p) for p in shards],
        partial=False,
        fmt="json",
        output="merged.json",
        ignore_errors=False,
        say=said.append,
        write=merged.append,
    )
    assert code == 1
    assert [f["hashed_secret"] for f in json.loads(merged[0])["findings"]] == [hashed_secret(key)]
    assert said == ["1 finding(s) in 1 repository; report in merged.json"]


def test_a_clean_rotating_sweep_still_ends_with_its_rotation_line(
    control: SimulatorControl, tmp_path: Path
) -> None:
    repos = [init_repo(tmp_path / name) for name in ("a", "b")]
    for repo in repos:
        repo.stage("README.md", "nothing to see\n")
        repo.commit("clean")
    said: list[str] = []
    options = SweepOptions(
        targets=[str(r.path) for r in repos], cache_dir=str(tmp_path / "c"), rotate=True, yes=True
    )
    assert (
        sweep_and_report(options, cwd=tmp_path, confirm=_never, say=said.append, write=_discard)
        == 0
    )
    assert said[-2:] == [
        "0 finding(s) in 2 repositories",
        "rotation: 0 rotated, 0 already invalid, 0 failed, 0 skipped [0 distinct keys]",
    ]


def test_a_repository_that_cannot_be_swept_is_named_and_counts(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "broken")
    repo.stage("README.md", "hello\n")
    repo.commit("root")
    for child in (repo.path / ".git" / "objects").iterdir():
        if len(child.name) == 2:  # the objects the refs point at are gone
            shutil.rmtree(child)
    for ignore_errors, expected in ((False, 1), (True, 0)):
        said: list[str] = []
        options = SweepOptions(
            targets=[str(repo.path)], cache_dir=str(tmp_path / "c"), ignore_errors=ignore_errors
        )
        code = sweep_and_report(
            options, cwd=tmp_path, confirm=_never, say=said.append, write=_discard
        )
        assert code == expected
        assert said[-2] == "0 finding(s) in 1 repository, 1 could not be swept"
        assert said[-1].startswith(f"not swept: {repo.path}: ")
