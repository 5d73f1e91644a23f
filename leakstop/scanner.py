"""Runs blocks from a source through the detector and the baseline into a ScanResult."""

from __future__ import annotations

import time
from collections.abc import Iterable

from leakstop.detect.engine import Detector
from leakstop.findings import Block, Finding, ScanResult, ScanStats, Skipped
from leakstop.providers import all_rules
from leakstop.suppress.baseline import Baseline


def scan(
    items: Iterable[Block | Skipped],
    mode: str,
    baseline: Baseline | None = None,
    detector: Detector | None = None,
) -> ScanResult:
    started = time.monotonic()
    detector = detector or Detector(all_rules())
    result = ScanResult(stats=ScanStats(mode=mode))
    files: set[str] = set()
    found: list[Finding] = []
    for item in items:
        if isinstance(item, Skipped):
            result.skipped.append(item)
            continue
        files.add(item.path)
        result.stats.bytes += len(item.text)
        found.extend(
            Finding(
                rule=hit.rule,
                file=item.path,
                line=hit.line,
                column=hit.column,
                secret=hit.secret,
                confidence=hit.confidence,
            )
            for hit in detector.scan(item)
        )
    apply_baseline(result, found, baseline)
    result.stats.files = len(files)
    result.stats.seconds = round(time.monotonic() - started, 3)
    return result


def apply_baseline(result: ScanResult, found: Iterable[Finding], baseline: Baseline | None) -> None:
    """Move findings into the result, counting (not listing) those the baseline accepts."""
    for finding in found:
        if baseline is not None and baseline.accepts(finding.file, finding.hashed_secret):
            result.suppressed += 1
        else:
            result.findings.append(finding)
