"""`python -m leakstop.plugin scan …` is stock `detect-secrets scan` with leakstop's
detectors registered: its baseline names our key types, by hash only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.settings import transient_settings

from leakstop.plugin.__main__ import main
from leakstop.secrets_text import hashed_secret
from tests.testing import assert_no_leak, new_key


def test_scan_through_the_entry_point_finds_our_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key("scrapebit-api-key")
    (tmp_path / "app.env").write_text(f"SCRAPEBIT_KEY={key}\n")
    monkeypatch.chdir(tmp_path)
    # detect-secrets keeps its settings and type map in globals: leave them as found.
    get_mapping_from_secret_type_to_class.cache_clear()
    try:
        with transient_settings({"plugins_used": []}):
            assert main(["scan", "app.env"]) == 0
    finally:
        get_mapping_from_secret_type_to_class.cache_clear()
    out, err = capsys.readouterr()
    assert_no_leak([out, err], [key])
    results = json.loads(out)["results"]["app.env"]
    ours = [r for r in results if r["type"] == "Scrapebit API Key"]
    assert [(r["hashed_secret"], r["line_number"]) for r in ours] == [(hashed_secret(key), 1)]


def test_audit_report_through_the_entry_point_is_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In this process (the other audit tests run it as a child): `--report` lists our key
    masked, and the lines around it too."""
    key, neighbour = new_key("electronhub-api-key"), new_key("syncline-user-key")
    (tmp_path / "app.env").write_text(f"EH_KEY={key}\nSL_KEY={neighbour}\n")
    monkeypatch.chdir(tmp_path)
    get_mapping_from_secret_type_to_class.cache_clear()
    try:
        with transient_settings({"plugins_used": []}):
            assert main(["scan", "app.env"]) == 0
            baseline, _ = capsys.readouterr()
            (tmp_path / "baseline.json").write_text(baseline)
            assert main(["audit", "--report", "baseline.json"]) == 0
    finally:
        get_mapping_from_secret_type_to_class.cache_clear()
    out, err = capsys.readouterr()
    assert_no_leak([out, err], [key, neighbour])
    shown = {item["secrets"] for item in json.loads(out)["results"]}
    assert f"ek-{key[3:5]}…{key[-2:]}" in shown
