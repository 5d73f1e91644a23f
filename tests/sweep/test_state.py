"""The sweep's remembered state holds typed records; its file keeps the format it has always
had, and a record crosses a Dask worker's boundary (pickle) unchanged."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from leakstop.outcomes import Confidence, RotationRecord, RotationStatus, Verdict
from leakstop.report.records import FindingRecord, SkippedRecord
from leakstop.sweep import state
from leakstop.sweep.run import Scanned

SHA = "a" * 40
FINDING = FindingRecord(
    rule="scrapebit-api-key",
    file="config/app.env",
    provider="scrapebit",
    line=3,
    column=7,
    commit=SHA,
    hashed_secret="1" * 40,
    redacted="sb_li…9f",
    confidence=Confidence.POSSIBLE,
    author="Ann <ann@example.com>",
    date="2026-01-02T03:04:05+00:00",
)
# What an earlier version wrote for FINDING: the state file's format is a contract with
# every cache already on disk.
FINDING_JSON = {
    "author": "Ann <ann@example.com>",
    "column": 7,
    "commit": SHA,
    "confidence": "possible",
    "date": "2026-01-02T03:04:05+00:00",
    "file": "config/app.env",
    "hashed_secret": "1" * 40,
    "line": 3,
    "provider": "scrapebit",
    "redacted": "sb_li…9f",
    "rule": "scrapebit-api-key",
}
SKIPPED_JSON = [
    {"file": "big.bin", "reason": "binary"},
    {"commit": SHA, "file": "x", "reason": "r"},
]


def _written(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_state_file_keeps_its_format_and_reads_back_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    # A record as a sweep's report holds it: named, with triage outcomes that go stale.
    triaged = replace(
        FINDING,
        repository="org/repo",
        verified=Verdict.LIVE,
        verify_reason="checked",
        rotation=RotationRecord(RotationStatus.ROTATED, "done"),
    )
    skipped = [
        SkippedRecord("big.bin", "binary", repository="org/repo"),
        SkippedRecord("x", "r", SHA),
    ]
    state.save(path, "org/repo", state.RepoState([SHA], 4, [triaged], skipped))
    data = _written(path)
    assert data["findings"] == [FINDING_JSON], "keyless, unnamed, without outcomes"
    assert data["skipped"] == SKIPPED_JSON
    assert (data["repository"], data["tips"], data["commits"]) == ("org/repo", [SHA], 4)
    loaded = state.load(path)
    assert loaded is not None
    assert loaded.findings == [FINDING] and loaded.skipped == [
        SkippedRecord("big.bin", "binary"),
        SkippedRecord("x", "r", SHA),
    ]
    first = path.read_bytes()
    state.save(path, "org/repo", loaded)
    assert path.read_bytes() == first, "a round trip writes the same bytes"


def test_a_state_written_by_an_earlier_version_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    old = {
        "version": state.VERSION,
        "repository": "r",
        "rules": state.rules_digest(),
        "tips": [SHA],
        "commits": 1,
        "findings": [{k: v for k, v in FINDING_JSON.items() if k != "confidence"}],
        "skipped": SKIPPED_JSON,
    }
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = state.load(path)
    assert loaded is not None
    assert loaded.findings == [replace(FINDING, confidence=None)], "no confidence: not stated"


@pytest.mark.parametrize(
    ("where", "entry"),
    [
        ("findings", {**FINDING_JSON, "confidence": "maybe"}),
        ("findings", {**FINDING_JSON, "line": "3"}),
        ("findings", {k: v for k, v in FINDING_JSON.items() if k != "hashed_secret"}),
        ("findings", {**FINDING_JSON, "commit": None}),
        ("findings", "a string"),
        ("skipped", {"file": "x"}),
        ("skipped", {"file": "x", "reason": 3}),
        ("skipped", ["x", "r"]),
    ],
)
def test_one_damaged_entry_makes_the_state_not_apply(
    tmp_path: Path, where: str, entry: object
) -> None:
    """An entry this version cannot read could hide a finding: the whole history is scanned
    again rather than trusting the rest."""
    path = tmp_path / "r.json"
    state.save(path, "r", state.RepoState([SHA], 1, [FINDING], [SkippedRecord("x", "r")]))
    assert state.load(path) is not None
    data = _written(path)
    entries = data[where]
    assert isinstance(entries, list)
    path.write_text(json.dumps({**data, where: [*entries, entry]}), encoding="utf-8")
    assert state.load(path) is None


def test_records_cross_a_worker_boundary_unchanged() -> None:
    """Dask pickles what a worker's task returns and what the client sends it."""
    triaged = replace(
        FINDING, verified=Verdict.INVALID, rotation=RotationRecord(RotationStatus.SKIPPED, "no")
    )
    scanned = Scanned(None, tips=[SHA], commits=2, records=[FINDING, triaged])
    back = pickle.loads(pickle.dumps(scanned))
    assert back.records == [FINDING, triaged]
    assert back.records[0].confidence is Confidence.POSSIBLE, "enum members stay members"
    remembered = state.RepoState([SHA], 2, [FINDING], [SkippedRecord("x", "r", SHA)])
    assert pickle.loads(pickle.dumps(remembered)) == remembered


@pytest.mark.parametrize(
    "damage",
    [{"tips": ["not-a-sha"]}, {"commits": "1"}, {"findings": {}}, {"skipped": None}],
)
def test_a_damaged_state_shape_makes_the_state_not_apply(
    tmp_path: Path, damage: dict[str, object]
) -> None:
    path = tmp_path / "r.json"
    state.save(path, "r", state.RepoState([SHA], 1, [FINDING]))
    path.write_text(json.dumps({**_written(path), **damage}), encoding="utf-8")
    assert state.load(path) is None
