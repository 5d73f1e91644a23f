"""GitHub Actions workflow commands: one `::error` annotation per finding."""

from __future__ import annotations

from leakstop.findings import ScanResult
from leakstop.report import verdict


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _possible(confidence: str) -> str:
    return " (possible)" if confidence == "possible" else ""


def render(result: ScanResult) -> str:
    lines = []
    for f in result.findings:
        level = "error" if f.rule.severity == "high" else "warning"
        if f.confidence == "possible":
            level = "warning" if f.verified == "live" else "notice"
        commit = f" in commit {f.commit.sha[:12]}" if f.commit else ""
        checked = verdict.label(f.verified, f.verify_reason)
        commit += f" [{checked}]" if checked else ""
        lines.append(
            f"::{level} file={_property(f.file)},line={f.line},col={f.column},"
            f"title={_property('leakstop: ' + f.rule.title + _possible(f.confidence))}::"
            + _data(f"{f.rule.title} {f.redacted}{commit}. {f.rule.guidance}")
        )
    for s in result.skipped:
        lines.append(f"::notice file={_property(s.file)}::" + _data(f"not scanned: {s.reason}"))
    count = len(result.findings)
    lines.append(f"leakstop: {count} API key{'s' if count != 1 else ''} found.")
    return "\n".join(lines) + "\n"
