"""UTF-16 and UTF-32 text, with or without a byte-order mark, either byte order: git calls it
binary (it is full of NUL bytes), leakstop decodes and scans it in every mode, at the right
line; binary data with a similar NUL pattern stays binary."""

from __future__ import annotations

import codecs
import json
import struct
from collections.abc import Callable
from typing import Any

import pytest

from leakstop.secrets_text import hashed_secret
from leakstop.sources.text import skip_reason, wide_encoding
from tests.testing import Repo, RunCli, all_modes, new_key, skipped_files

Encoder = Callable[[str], bytes]

ENCODINGS: dict[str, Encoder] = {
    "utf16-le-bom.ps1": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf16-be-bom.ps1": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf16-le.txt": lambda t: t.encode("utf-16-le"),
    "utf16-be.txt": lambda t: t.encode("utf-16-be"),
    "utf32-le-bom.cfg": lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le"),
    "utf32-be.cfg": lambda t: t.encode("utf-32-be"),
}


def _settings(key: str, extra: str = "") -> str:
    # Non-ASCII text too: a wide file is not only ASCII with NUL bytes in between.
    return f"# Réglages — サービス\r\nname = demo\r\nSCRAPEBIT_API_KEY={key}\r\n{extra}"


def _found(report: dict[str, Any]) -> set[tuple[str, str, int, str | None]]:
    return {(f["hashed_secret"], f["file"], f["line"], f["commit"]) for f in report["findings"]}


def test_wide_text_is_recognised_and_binary_is_not() -> None:
    text = _settings(new_key("scrapebit-api-key"))
    for encode in ENCODINGS.values():
        assert wide_encoding(encode(text)) is not None
        assert skip_reason(encode(text)) is None
    # Binary with the NUL pattern of UTF-16 (small 16-bit numbers), a PNG, random bytes.
    samples = struct.pack("<512h", *range(512)), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40
    for data in (*samples, bytes(range(256)) * 8):
        assert wide_encoding(data) is None
        assert skip_reason(data) == "binary"


def test_files_and_staged_modes_scan_wide_text(repo: Repo, run_cli: RunCli) -> None:
    keys = {name: new_key("scrapebit-api-key") for name in ENCODINGS}
    for name, encode in ENCODINGS.items():
        repo.stage(name, encode(_settings(keys[name])))
    expected = {(hashed_secret(keys[n]), n, 3, None) for n in ENCODINGS}
    for mode in (["--staged"], [], ["."]):
        outcome = run_cli(["scan", "--format", "json", *mode], repo.path, keys=keys.values())
        assert outcome.code == 1, outcome.err
        report = json.loads(outcome.out)
        assert _found(report) == expected, mode
        assert skipped_files(report) == {}
        for finding in report["findings"]:
            assert finding["column"] == len("SCRAPEBIT_API_KEY=") + 1


def test_staged_reports_only_the_lines_added_to_a_wide_file(repo: Repo, run_cli: RunCli) -> None:
    old, new = new_key("scrapebit-api-key"), new_key("electronhub-api-key")
    encode = ENCODINGS["utf16-le-bom.ps1"]
    repo.stage("setup.ps1", encode(_settings(old)))
    repo.commit("settings")
    repo.stage("setup.ps1", encode(_settings(old, f"# added\r\nEH_KEY={new}\r\n")))
    outcome = run_cli(["scan", "--staged", "--format", "json"], repo.path, keys=[old, new])
    assert _found(json.loads(outcome.out)) == {(hashed_secret(new), "setup.ps1", 5, None)}


def test_attribute_binary_wide_text_is_scanned_when_staged(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage(".gitattributes", "*.ps1 -diff\n")
    repo.stage("setup.ps1", f"$env:SCRAPEBIT_API_KEY = '{key}'\r\n".encode("utf-16"))
    outcome = run_cli(["scan", "--staged", "--format", "json"], repo.path, keys=[key])
    report = json.loads(outcome.out)
    assert _found(report) == {(hashed_secret(key), "setup.ps1", 1, None)}
    assert skipped_files(report) == {}


@pytest.mark.parametrize("attributes", ["", "*.ps1 -diff\n"])
def test_commit_modes_scan_wide_text_added_and_changed(
    repo: Repo, run_cli: RunCli, attributes: str
) -> None:
    repo.stage("README.md", "demo\n")
    if attributes:
        repo.stage(".gitattributes", attributes)
    base = repo.commit("base")
    first = {name: new_key("scrapebit-api-key") for name in ENCODINGS}
    for name, encode in ENCODINGS.items():
        repo.stage(name, encode(_settings(first[name])))
    added = repo.commit("add wide files")
    second = {name: new_key("electronhub-api-key") for name in ENCODINGS}
    for name, encode in ENCODINGS.items():
        repo.stage(name, encode(_settings(first[name], f"\r\nEH_KEY={second[name]}\r\n")))
    changed = repo.commit("change wide files")
    repo.stage("blob.bin", struct.pack("<512h", *range(512)))
    repo.commit("binary")
    expected = {(hashed_secret(first[n]), n, 3, added) for n in ENCODINGS} | {
        (hashed_secret(second[n]), n, 5, changed) for n in ENCODINGS
    }
    keys = [*first.values(), *second.values()]
    for mode, report in all_modes(run_cli, repo, base, keys).items():
        if mode == "sweep":
            assert {(h, f, line) for h, f, line, _ in _found(report)} == {
                (h, f, line) for h, f, line, _ in expected
            }
        else:
            assert _found(report) == expected, mode
        assert {s["file"]: s["reason"] for s in report["scan"]["skipped"]} == {
            "blob.bin": "binary"
        }, mode


def test_a_merge_reports_only_what_it_adds_to_a_wide_file(repo: Repo, run_cli: RunCli) -> None:
    encode = ENCODINGS["utf16-le-bom.ps1"]
    keys = [new_key("scrapebit-api-key") for _ in range(3)]
    repo.stage("a.ps1", encode("one\r\n"))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.stage("a.ps1", encode(f"one\r\nSIDE_KEY={keys[0]}\r\n"))
    side = repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.stage("a.ps1", encode(f"MAIN_KEY={keys[1]}\r\none\r\n"))
    main = repo.commit("main")
    repo.git("merge", "-q", "-s", "ours", "--no-commit", "side")
    merged = f"MAIN_KEY={keys[1]}\r\none\r\nSIDE_KEY={keys[0]}\r\n#{keys[2]}\r\n"
    repo.stage("a.ps1", encode(merged))
    merge = repo.commit("merge")
    outcome = run_cli(["scan", "--history", "--format", "json"], repo.path, keys=keys)
    found = {(h, line, commit) for h, _, line, commit in _found(json.loads(outcome.out))}
    assert found == {
        (hashed_secret(keys[0]), 2, side),
        (hashed_secret(keys[1]), 1, main),
        (hashed_secret(keys[2]), 4, merge),
    }


def test_wide_text_git_diffs_as_text_because_of_an_attribute(repo: Repo, run_cli: RunCli) -> None:
    """A `diff` attribute makes git show UTF-16 as text, NUL bytes and all."""
    keys = [new_key("scrapebit-api-key") for _ in range(2)]
    encode = ENCODINGS["utf16-le-bom.ps1"]
    repo.stage(".gitattributes", "*.ps1 diff\n*.dat diff\n")
    repo.stage("README.md", "x\n")
    base = repo.commit("base")
    repo.stage("setup.ps1", encode(_settings(keys[0])))
    first = repo.commit("add")
    repo.stage("setup.ps1", encode(_settings(keys[0], f"EH={keys[1]}\r\n")))
    repo.stage("blob.dat", b"\x00\x01\x02" * 50)
    second = repo.commit("change")
    expected = {
        (hashed_secret(keys[0]), "setup.ps1", 3, first),
        (hashed_secret(keys[1]), "setup.ps1", 4, second),
    }
    for mode, report in all_modes(run_cli, repo, base, keys).items():
        assert _found(report) == expected, mode
        assert skipped_files(report) == {"blob.dat": "binary"}, mode
    third = new_key("electronhub-api-key")
    repo.stage("setup.ps1", encode(_settings(keys[0], f"EH={keys[1]}\r\nX={third}\r\n")))
    staged = run_cli(["scan", "--staged", "--format", "json"], repo.path, keys=[*keys, third])
    assert _found(json.loads(staged.out)) == {(hashed_secret(third), "setup.ps1", 5, None)}


def test_staged_wide_file_over_the_limit_is_named_too_large(repo: Repo, run_cli: RunCli) -> None:
    key = new_key("scrapebit-api-key")
    repo.stage("big.ps1", ENCODINGS["utf16-le-bom.ps1"](_settings(key) + "x\r\n" * 2000))
    repo.stage("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    outcome = run_cli(
        ["scan", "--staged", "--max-file-size", "4000", "--format", "json"], repo.path, [key]
    )
    report = json.loads(outcome.out)
    assert report["findings"] == []
    skipped = skipped_files(report)
    assert skipped["logo.png"] == "binary"
    assert skipped["big.ps1"].startswith("too large (") and "limit 4000" in skipped["big.ps1"]
    # Files mode reads it in pieces instead.
    files = run_cli(["scan", "--max-file-size", "4000", "--format", "json"], repo.path, [key])
    assert _found(json.loads(files.out)) == {(hashed_secret(key), "big.ps1", 3, None)}
