"""The JSON report's schema, pinned: every field name, its type and the values an enum field
may take, for a scan's report and a sweep's (DESIGN.md and docs/design.md "JSON report").

Real runs make the reports (a history scan and a sweep, with --verify and --rotate against
the simulator), and each object must have exactly the fields pinned here: a renamed, missing
or retyped field, or a value outside its set, fails. The sets are also checked against the
code's enums and against the design note, so neither can drift alone."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leakstop.outcomes import Confidence, RotationStatus, Verdict
from leakstop.report.sweep_records import RepoStatus
from leakstop.simulator import SimulatorControl
from tests.testing import Repo, RunCli, init_repo, new_key

ROOT = Path(__file__).resolve().parents[2]

MODES = {"files", "staged", "range", "pre-push", "history"}
CONFIDENCES = {"certain", "possible"}
VERDICTS = {"live", "invalid", "unknown"}
ROTATIONS = {
    "rotated",
    "dry_run",
    "skipped",
    "not_rotatable",
    "already_invalid",
    "rate_limited",
    "failed",
}
REPO_STATUSES = {"ok", "empty", "failed"}
ROTATION_TOTALS = (
    "rotated",
    "already_invalid",
    "failed",
    "skipped",
    "rate_limited",
    "not_rotatable",
    "dry_run",
    "handled_earlier",
    "keys",
)


@dataclass(frozen=True)
class Obj:
    """A JSON object: the fields it always has, and the ones it may have."""

    required: dict[str, Any]
    optional: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ListOf:
    item: Any


INT, NUMBER, TEXT, TEXT_OR_NULL = "int", "number", "text", "text or null"
SHA1 = "sha1"

ROTATION = Obj({"status": ROTATIONS, "detail": TEXT}, {"new_key": {"lost"}})
FINDING = Obj(
    {
        "provider": TEXT,
        "rule": TEXT,
        "file": TEXT,
        "line": INT,
        "column": INT,
        "commit": TEXT_OR_NULL,
        "hashed_secret": SHA1,
        "redacted": TEXT,
        "confidence": CONFIDENCES,
    },
    {
        "author": TEXT,
        "date": TEXT,
        "verified": VERDICTS,
        "verified_detail": TEXT,
        "verify_reason": TEXT,
        "rotation": ROTATION,
    },
)
SCAN = Obj(
    {
        "mode": MODES,
        "commits": INT,
        "files": INT,
        "bytes": INT,
        "seconds": NUMBER,
        "suppressed": INT,
        "skipped": ListOf(Obj({"file": TEXT, "reason": TEXT}, {"commit": TEXT})),
    },
    {"rotation": Obj(dict.fromkeys(ROTATION_TOTALS, INT))},
)
SCAN_REPORT = Obj({"version": {1}, "scan": SCAN, "findings": ListOf(FINDING)})

SWEEP_SCAN = Obj(
    {
        **SCAN.required,
        "mode": {"sweep"},
        "started": TEXT_OR_NULL,
        "skipped": ListOf(
            Obj({"repository": TEXT, "file": TEXT, "reason": TEXT}, {"commit": TEXT})
        ),
    },
    {**SCAN.optional, "shard": Obj({"index": INT, "count": INT})},
)
REPOSITORY = Obj(
    {
        "repository": TEXT,
        "source": {"local", "remote"},
        "status": REPO_STATUSES,
        "reason": TEXT_OR_NULL,
        "commits": INT,
        "new_commits": INT,
        "findings": INT,
        "commit_link": TEXT_OR_NULL,
    }
)
SWEEP_REPORT = Obj(
    {
        "version": {1},
        "scan": SWEEP_SCAN,
        "repositories": ListOf(REPOSITORY),
        "findings": ListOf(Obj({"repository": TEXT, **FINDING.required}, FINDING.optional)),
    }
)


class Checker:
    """Checks a value against a spec; remembers each optional field it met (by path)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def check(self, value: Any, spec: Any, at: str = "") -> None:
        if isinstance(spec, Obj):
            assert isinstance(value, dict), f"{at}: an object expected"
            allowed = spec.required.keys() | spec.optional.keys()
            assert not value.keys() - allowed, f"{at}: unknown fields {value.keys() - allowed}"
            assert not spec.required.keys() - value.keys(), (
                f"{at}: missing fields {spec.required.keys() - value.keys()}"
            )
            for name, item in value.items():
                if name in spec.optional:
                    self.seen.add(f"{at}.{name}")
                self.check(item, {**spec.optional, **spec.required}[name], f"{at}.{name}")
        elif isinstance(spec, ListOf):
            assert isinstance(value, list), f"{at}: a list expected"
            for item in value:
                self.check(item, spec.item, f"{at}[]")
        elif isinstance(spec, set):
            assert value in spec, f"{at}: {value!r} is not one of {sorted(map(str, spec))}"
        elif spec == INT:
            assert isinstance(value, int) and not isinstance(value, bool), f"{at}: int"
        elif spec == NUMBER:
            assert isinstance(value, int | float) and not isinstance(value, bool), f"{at}"
        elif spec == TEXT:
            assert isinstance(value, str), f"{at}: text expected, not {value!r}"
        elif spec == TEXT_OR_NULL:
            assert value is None or isinstance(value, str), f"{at}: text or null"
        else:
            assert spec == SHA1
            assert isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}", value), f"{at}"


def _plant(repo: Repo, control: SimulatorControl) -> list[str]:
    """Keys in every state a report can show: live (rotated), revoked (already invalid),
    not rotatable, a check that fails (unknown, with its reason), a rotation whose answer
    is lost; and a binary file that cannot be scanned."""
    live = control.create_account("electronhub", "master").key
    dead = control.create_account("scrapebit", "live").key
    control.revoke(dead)
    proxy = control.create_account("electronhub", "proxy").key
    failing = control.create_account("syncline", "user").key
    control.add_fault("500", key=failing, call="check", times=None)
    lost = control.create_account("electronhub", "master").key
    control.add_fault("drop_after_rotate", key=lost, call="rotate")
    repo.stage("app.env", f"EH={live}\nSB={dead}\n")
    repo.stage("proxy.env", f"EH_PROXY={proxy}\nSYNC={failing}\n")
    repo.stage("blob.bin", b"\x00\x01\x02binary")
    repo.commit("keys")
    repo.stage("later.env", f"EH_LATER={lost}\n")
    repo.commit("one more")
    return [live, dead, proxy, failing, lost]


def test_scan_report_schema(repo: Repo, control: SimulatorControl, run_cli: RunCli) -> None:
    keys = _plant(repo, control)
    args = ["scan", "--history", "--verify", "--rotate", "--yes", "--format", "json"]
    outcome = run_cli(args, repo.path, keys=keys)
    report = json.loads(outcome.out)
    checker = Checker()
    checker.check(report, SCAN_REPORT)
    assert len(report["findings"]) == 5 and report["scan"]["skipped"]
    # The run met every optional field, so each one was checked above.
    assert {
        ".findings[].author",
        ".findings[].date",
        ".findings[].verified",
        ".findings[].verified_detail",
        ".findings[].verify_reason",
        ".findings[].rotation",
        ".findings[].rotation.new_key",
        ".scan.rotation",
    } <= checker.seen
    statuses = {f["rotation"]["status"] for f in report["findings"]}
    assert {"rotated", "already_invalid", "not_rotatable", "failed"} <= statuses
    assert {f["verified"] for f in report["findings"]} == VERDICTS


def test_plain_scan_report_schema(repo: Repo, run_cli: RunCli) -> None:

    key = new_key("scrapebit-api-key")
    repo.write("a.env", f"SB={key}\n")
    repo.write("b.bin", b"\x00\x01")
    report = json.loads(run_cli(["scan", "--format", "json", "."], repo.path, keys=[key]).out)
    checker = Checker()
    checker.check(report, SCAN_REPORT)
    [finding] = report["findings"]
    assert finding["commit"] is None and "verified" not in finding and "rotation" not in finding
    assert report["scan"]["mode"] == "files" and "rotation" not in report["scan"]


def test_sweep_report_schema(tmp_path: Path, control: SimulatorControl, run_cli: RunCli) -> None:
    repo = init_repo(tmp_path / "repo")
    keys = _plant(repo, control)
    init_repo(tmp_path / "empty")
    cache = str(tmp_path / "cache")
    out = tmp_path / "sweep.json"
    args = ["sweep", "repo", "empty", "missing", "--cache", cache, "--shard", "1/1", "--format"]
    args += ["json"]
    args += ["--verify", "--rotate", "--yes", "--call-interval", "0", "-o", str(out)]
    run_cli(args, tmp_path, keys=keys)
    report = json.loads(out.read_text(encoding="utf-8"))
    checker = Checker()
    checker.check(report, SWEEP_REPORT)
    assert {r["status"] for r in report["repositories"]} == REPO_STATUSES
    assert {
        ".scan.shard",
        ".scan.rotation",
        ".findings[].author",
        ".findings[].date",
        ".findings[].verified",
        ".findings[].verified_detail",
        ".findings[].verify_reason",
        ".findings[].rotation",
        ".findings[].rotation.new_key",
    } <= checker.seen
    # A merge writes the same schema (without the shard).
    merged = run_cli(["merge", str(out)], tmp_path, keys=keys)
    again = json.loads(merged.out)
    Checker().check(again, SWEEP_REPORT)
    assert "shard" not in again["scan"] and again["findings"] == report["findings"]


def test_the_pinned_values_are_the_codes_and_the_design_notes() -> None:
    assert {v.value for v in Verdict} == VERDICTS
    assert {c.value for c in Confidence} == CONFIDENCES
    assert {s.value for s in RotationStatus} == ROTATIONS
    assert {s.value for s in RepoStatus} == REPO_STATUSES
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    block = design.split("## JSON report", 1)[1].split("```", 2)[1]

    def words(name: str) -> set[str]:
        found = re.search(rf'"{name}": "([a-z_|-]+)', block)
        assert found, name
        return set(found.group(1).split("|"))

    assert words("mode") == MODES
    assert words("confidence") == CONFIDENCES
    assert words("verified") == VERDICTS
    assert words("status") == ROTATIONS
    # Every field the block shows is pinned, and every pinned field is in the block (of the
    # rotation totals, the block shows the first).
    skipped = SCAN.required["skipped"].item
    pinned = {"version", "scan", "findings", ROTATION_TOTALS[0]}
    for part in (SCAN, skipped, FINDING, ROTATION):
        pinned |= part.required.keys() | part.optional.keys()
    assert set(re.findall(r'"([a-z_]+)":', block)) == pinned
    totals = design.split("`scan.rotation` totals the outcomes per distinct key:", 1)[1]
    assert set(re.findall(r'"([a-z_]+)"', totals.split(")", 1)[0])) == set(ROTATION_TOTALS)
    sweeps = design.split("## Sweeps", 1)[1]
    for name, values in (("status", REPO_STATUSES), ("source", {"local", "remote"})):
        found = re.search(rf"`{name}` ([a-z|]+)", sweeps)
        assert found and set(found.group(1).split("|")) == values, name
