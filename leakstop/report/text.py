"""The report for people: where each key is, which family, the redacted key, what to do."""

from __future__ import annotations

from leakstop.findings import ScanResult

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
            where = f"{f.file}:{f.line}:{f.column}"
            commit = (
                f" (commit {f.commit.sha[:12]}, {f.commit.author}, {f.commit.date})"
                if (f.commit)
                else ""
            )
            status = f"  [{f.verified}]" if f.verified else ""
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
        out.extend(f"  {s.file}: {s.reason}" for s in result.skipped)
    if findings:
        out += [
            "",
            "What to do:",
            "  1. Take the key out of the file: read it from the environment or a secret manager.",
            "  2. A key that was ever pushed or shared is leaked: rotate it as shown above.",
            "  3. Not a real key? End the line with `# pragma: allowlist secret`, or accept it",
            "     in .secrets.baseline (`leakstop init`, then `leakstop audit`).",
        ]
    return "\n".join(out) + "\n"
