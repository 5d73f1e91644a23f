"""Suppression: detect-secrets baselines and inline allowlist pragmas, end to end.

A baseline accepts a (file, hashed_secret) pair, never a line number: moving an accepted key
within its file keeps it accepted, and a different key on an accepted line number is new.
Scanning only reads the baseline, never rewrites it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leakstop.errors import LeakstopError
from leakstop.secrets_text import hashed_secret
from leakstop.suppress.baseline import Baseline, normalize_path
from tests.testing import Repo, RunCli, new_key, scan_json


def _baseline(entries: dict[str, list[tuple[str, int]]]) -> bytes:
    """A baseline as `detect-secrets scan` writes it (2-space indent, sorted results)."""
    results = {
        file: [
            {
                "type": "Scrapebit API Key",
                "filename": file,
                "hashed_secret": hashed_secret(key),
                "is_verified": False,
                "line_number": line,
            }
            for key, line in found
        ]
        for file, found in sorted(entries.items())
    }
    data = {
        "version": "1.5.0",
        "plugins_used": [{"name": "ScrapebitApiKeyDetector", "path": "file://x.py"}],
        "filters_used": [],
        "results": results,
        "generated_at": "2025-01-31T16:00:00Z",
    }
    return (json.dumps(data, indent=2) + "\n").encode()


def _hashes(report: Any) -> set[str]:
    return {f["hashed_secret"] for f in report["findings"]}


def test_baselined_key_is_accepted_in_both_modes(repo: Repo, run_cli: RunCli) -> None:
    known, new = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    repo.stage("app.env", f"A={known}\nB={new}\n")
    repo.stage(".secrets.baseline", _baseline({"app.env": [(known, 1)]}))
    for mode in (["--staged"], []):
        outcome, report = scan_json(run_cli, repo, *mode, keys=[known, new])
        assert outcome.code == 1
        assert _hashes(report) == {hashed_secret(new)}
        assert report["scan"]["suppressed"] == 1


def test_all_known_means_exit_zero_and_the_baseline_is_never_rewritten(
    repo: Repo, run_cli: RunCli
) -> None:
    key = new_key("electronhub-api-key")
    repo.stage("app.env", f"EH={key}\n")
    content = _baseline({"app.env": [(key, 1)]})
    path = repo.write(".secrets.baseline", content)
    before = path.stat().st_mtime_ns
    for mode in (["--staged"], [], ["--baseline", ".secrets.baseline"]):
        outcome, report = scan_json(run_cli, repo, *mode, keys=[key])
        assert outcome.code == 0
        assert report["findings"] == []
    assert path.read_bytes() == content
    assert path.stat().st_mtime_ns == before


def test_moving_a_known_key_within_its_file_keeps_it_known(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("app.env", f"SB={key}\nA=1\n")
    repo.stage(".secrets.baseline", _baseline({"app.env": [(key, 1)]}))
    repo.commit()
    repo.stage("app.env", "A=1\n" + "B=2\n" * 10 + f"SB={key}\n")  # now on line 12
    for mode in (["--staged"], []):
        outcome, _ = scan_json(run_cli, repo, *mode, keys=[key])
        assert outcome.code == 0


def test_new_key_on_a_baselined_line_number_is_caught(repo: Repo, run_cli: RunCli) -> None:
    old, new = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    repo.stage("app.env", f"SB={old}\n")
    repo.stage(".secrets.baseline", _baseline({"app.env": [(old, 1)]}))
    repo.commit()
    repo.stage("app.env", f"SB={new}\n")  # same file, same line, different key
    for mode in (["--staged"], []):
        outcome, report = scan_json(run_cli, repo, *mode, keys=[old, new])
        assert outcome.code == 1
        assert _hashes(report) == {hashed_secret(new)}


def test_known_key_copied_to_another_file_is_caught(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("app.env", f"SB={key}\n")
    repo.stage("copy.env", f"SB={key}\n")
    repo.stage(".secrets.baseline", _baseline({"app.env": [(key, 1)]}))
    outcome, report = scan_json(run_cli, repo, "--staged", keys=[key])
    assert outcome.code == 1
    assert [(f["file"], f["line"]) for f in report["findings"]] == [("copy.env", 1)]


def test_baseline_paths_written_on_windows_or_with_dot_slash(repo: Repo, run_cli: RunCli) -> None:
    first, second = new_key("scrapebit-api-key"), new_key("scrapebit-api-key")
    repo.stage("config/a.env", f"SB={first}\n")
    repo.stage("b.env", f"SB={second}\n")
    content = _baseline({"config\\a.env": [(first, 1)], "./b.env": [(second, 1)]})
    repo.stage(".secrets.baseline", content)
    outcome, _ = scan_json(run_cli, repo, "--staged", keys=[first, second])
    assert outcome.code == 0


def test_default_baseline_is_found_from_a_subdirectory(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("sub/app.env", f"SB={key}\n")
    repo.stage(".secrets.baseline", _baseline({"sub/app.env": [(key, 1)]}))
    outcome = run_cli(["scan", "--staged"], repo.path / "sub", keys=[key])
    assert outcome.code == 0


def test_no_baseline_option_ignores_it(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("app.env", f"SB={key}\n")
    repo.stage(".secrets.baseline", _baseline({"app.env": [(key, 1)]}))
    outcome, _ = scan_json(run_cli, repo, "--staged", "--no-baseline", keys=[key])
    assert outcome.code == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"version": "1.5.0"}', "no 'results'"),
        (b'["results"]', "no 'results'"),
    ],
)
def test_invalid_baseline_is_a_one_line_error(
    repo: Repo, run_cli: RunCli, content: bytes, words: str
) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("app.env", f"SB={key}\n")
    path = repo.write(".secrets.baseline", content)
    for args in (["scan", "--staged"], ["scan", "--baseline", ".secrets.baseline"]):
        outcome = run_cli(args, repo.path, keys=[key])
        assert outcome.code == 2
        assert outcome.err.count("\n") == 1, outcome.err
        assert words in outcome.err
        assert "Traceback" not in outcome.err
    assert path.read_bytes() == content


def test_missing_explicit_baseline_is_a_one_line_error(repo: Repo, run_cli: RunCli) -> None:
    outcome = run_cli(["scan", "--staged", "--baseline", "nope.json"], repo.path)
    assert outcome.code == 2
    assert outcome.err.count("\n") == 1
    assert "nope.json" in outcome.err


def test_odd_entries_in_a_baseline_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps(
            {
                "results": {
                    "a.env": [{"hashed_secret": "abc"}, "junk", {"hashed_secret": 1}],
                    "b.env": "not a list",
                }
            }
        )
    )
    baseline = Baseline.load(path)
    assert len(baseline) == 1
    assert baseline.accepts("a.env", "abc")
    assert baseline.accepts("./a.env", "abc")
    assert not baseline.accepts("b.env", "abc")


def test_unreadable_baseline(tmp_path: Path) -> None:
    with pytest.raises(LeakstopError, match="cannot read baseline"):
        Baseline.load(tmp_path)  # a directory


def test_normalize_path() -> None:
    assert normalize_path("././a\\b/c.env") == "a/b/c.env"
    assert normalize_path("a.env") == "a.env"


# -- inline pragmas, end to end -------------------------------------------------------------


def test_allowlist_pragmas_in_a_staged_change(repo: Repo, run_cli: RunCli) -> None:
    same, nextline, plain = (new_key("electronhub-api-key") for _ in range(3))
    repo.stage(
        "app.py",
        f'A = "{same}"  # pragma: allowlist secret\n'
        "# pragma: allowlist nextline secret\n"
        f'B = "{nextline}"\n'
        f'C = "{plain}"\n',
    )
    for mode in (["--staged"], []):
        outcome, report = scan_json(run_cli, repo, *mode, keys=[same, nextline, plain])
        assert outcome.code == 1
        assert [(f["line"], f["hashed_secret"]) for f in report["findings"]] == [
            (4, hashed_secret(plain))
        ]


def test_nextline_pragma_already_committed_still_covers_a_new_line(
    repo: Repo, run_cli: RunCli
) -> None:
    key = new_key("electronhub-api-key")
    repo.stage("app.py", "# pragma: allowlist nextline secret\nB = None\n")
    repo.commit()
    repo.stage("app.py", f'# pragma: allowlist nextline secret\nB = "{key}"\n')
    outcome, _ = scan_json(run_cli, repo, "--staged", keys=[key])
    assert outcome.code == 0
