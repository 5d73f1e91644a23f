"""The report for people: where each key is, which family, the redacted key, and what to do
where the user is (report/advice.py)."""

from __future__ import annotations

from leakstop.findings import ScanResult
from leakstop.report import verdict
from leakstop.report.advice import advice
from leakstop.report.printable import printable

_WHERE = {
    "files": "the scanned files",
    "staged": "the staged changes",
    "range": "the commits of the range",
    "pre-push": "the commits being pushed",
    "history": "the repository's history",
}
_BLOCKED = {"staged": " The commit is blocked.", "pre-push": " The push is blocked."}


def render(result: ScanResult) -> str:
    mode = result.stats.mode
    out: list[str] = []
    findings = result.findings
    if not findings:
        out.append(
            f"leakstop: no API keys in {_WHERE.get(mode, mode)} "
            f"({result.stats.files} files, {result.stats.bytes} bytes)."
        )
    else:
        noun = "key" if len(findings) == 1 else "keys"
        possible = sum(f.confidence == "possible" for f in findings)
        note = f" ({possible} possible, not blocking unless verified live)" if possible else ""
        out.append(
            f"leakstop: {len(findings)} API {noun} found in {_WHERE.get(mode, mode)}{note}."
            + (_BLOCKED.get(mode, "") if result.blocking else "")
        )
        out.append("")
        for f in findings:
            where = f"{printable(f.file)}:{f.line}:{f.column}"
            commit = (
                f" (commit {f.commit.sha[:12]}, {printable(f.commit.author)}, {f.commit.date})"
                if (f.commit)
                else ""
            )
            checked = verdict.label(f.verified, f.verify_reason)
            status = f"  [{checked}]" if checked else ""
            marker = "  (possible)" if f.confidence == "possible" else ""
            out.append(f"  {where}  {f.rule.title}{marker}  {f.redacted}{commit}{status}")
            out.append(f"      {f.rule.guidance}")
            if f.rotation:
                out.append(
                    f"      rotation: {f.rotation.get('status')}: {f.rotation.get('detail')}"
                )
    if result.suppressed:
        out.append(f"({result.suppressed} known finding(s) accepted by the baseline.)")
    if result.skipped:
        out.append("")
        out.append(f"Not scanned ({len(result.skipped)}):")
        out.extend(f"  {printable(s.file)}: {printable(s.reason)}" for s in result.skipped)
    out += advice(result)
    return "\n".join(out) + "\n"
