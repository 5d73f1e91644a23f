"""A scanned repository cannot point the scan at another directory: its own
`core.worktree` setting would make files mode (and the baseline it reads) look elsewhere
and pass over the files actually checked out."""

from __future__ import annotations

from pathlib import Path

from tests.testing import RunCli, init_repo, new_key


def test_core_worktree_pointing_away_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo = init_repo(tmp_path / "repo")
    repo.stage("config.env", f"SCRAPEBIT_KEY={key}\n")
    repo.commit("add config")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "README").write_text("nothing here\n")
    repo.git("config", "core.worktree", str(decoy))

    for args in (["scan"], ["scan", "--staged"]):
        result = run_cli(args, repo.path, keys=[key])
        assert result.code == 2, (args, result.err)
        assert "core.worktree" in result.err and str(decoy) in result.err
        assert len(result.err.strip().splitlines()) <= 2
