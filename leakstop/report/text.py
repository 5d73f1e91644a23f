"""The report for people: where each key is, which family, the redacted key, and what to do
where the user is (report/advice.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leakstop.report import verdict
from leakstop.report.printable import printable

if TYPE_CHECKING:
    from leakstop.report.records import Report

_WHERE = {
    "files": "the scanned files",
    "staged": "the staged changes",
    "range": "the commits of the range",
    "pre-push": "the commits being pushed",
    "history": "the repository's history",
}
_BLOCKED = {"staged": " The commit is blocked.", "pre-push": " The push is blocked."}


def render(report: Report) -> str:
    scan = report.scan
    mode = scan.mode
    out: list[str] = []
    findings = report.findings
    if not findings:
        out.append(
            f"leakstop: no API keys in {_WHERE.get(mode, mode)} "
            f"({scan.files} files, {scan.bytes} bytes)."
        )
    else:
        noun = "key" if len(findings) == 1 else "keys"
        possible = sum(f.possible for f in findings)
        note = f" ({possible} possible, not blocking unless verified live)" if possible else ""
        out.append(
            f"leakstop: {len(findings)} API {noun} found in {_WHERE.get(mode, mode)}{note}."
            + (_BLOCKED.get(mode, "") if report.blocking else "")
        )
        out.append("")
        for f in findings:
            where = f"{printable(f.file)}:{f.line}:{f.column}"
            commit = (
                f" (commit {f.commit[:12]}, {printable(f.author or '')}, {f.date})"
                if f.commit
                else ""
            )
            checked = verdict.label(f.verified, f.verify_reason)
            status = f"  [{checked}]" if checked else ""
            marker = "  (possible)" if f.possible else ""
            rule = f.kind
            out.append(f"  {where}  {rule.title}{marker}  {f.redacted}{commit}{status}")
            out.append(f"      {rule.guidance}")
            if f.rotation:
                out.append(f"      rotation: {f.rotation.status}: {f.rotation.detail}")
    if scan.suppressed:
        out.append(f"({scan.suppressed} known finding(s) accepted by the baseline.)")
    if scan.skipped:
        out.append("")
        out.append(f"Not scanned ({len(scan.skipped)}):")
        out.extend(f"  {printable(s.file)}: {printable(s.reason)}" for s in scan.skipped)
    if findings:  # the advice module is loaded only when there is something to advise
        from leakstop.report.advice import advice

        out += advice(report)
    return "\n".join(out) + "\n"
