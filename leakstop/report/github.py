"""GitHub Actions workflow commands: one `::error` annotation per finding."""

from __future__ import annotations

from leakstop.outcomes import Verdict
from leakstop.report import verdict
from leakstop.report.records import Report


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        rule = f.kind
        level = "error" if rule.severity == "high" else "warning"
        if f.possible:
            level = "warning" if f.verified == Verdict.LIVE else "notice"
        commit = f" in commit {f.commit[:12]}" if f.commit else ""
        checked = verdict.label(f.verified, f.verify_reason)
        commit += f" [{checked}]" if checked else ""
        possible = " (possible)" if f.possible else ""
        lines.append(
            f"::{level} file={_property(f.file)},line={f.line},col={f.column},"
            f"title={_property('leakstop: ' + rule.title + possible)}::"
            + _data(f"{rule.title} {f.redacted}{commit}. {rule.guidance}")
        )
    for s in report.scan.skipped:
        lines.append(f"::notice file={_property(s.file)}::" + _data(f"not scanned: {s.reason}"))
    count = len(report.findings)
    lines.append(f"leakstop: {count} API key{'s' if count != 1 else ''} found.")
    return "\n".join(lines) + "\n"
