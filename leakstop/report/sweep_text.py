"""The sweep's report for a terminal: findings grouped by repository, then the repositories
that could not be swept and the files that could not be scanned."""

from __future__ import annotations

from typing import Any

from leakstop.providers import all_rules
from leakstop.report import verdict


def render_report(report: dict[str, Any]) -> str:
    findings = report.get("findings", [])
    repositories = report.get("repositories", [])
    titles = {rule.id: rule.title for rule in all_rules()}
    failed = [r for r in repositories if r.get("status") == "failed"]
    with_keys = {f.get("repository") for f in findings}
    out = [
        f"leakstop: {len(findings)} API key finding(s) in {len(with_keys)} of "
        f"{len(repositories)} repositories"
        + (f"; {len(failed)} could not be swept." if failed else ".")
    ]
    for repo in repositories:
        name = repo.get("repository")
        status = repo.get("status")
        if status == "failed":
            line = f"FAILED: {repo.get('reason')}"
        elif status == "empty":
            line = "empty (no commits)"
        else:
            line = f"{repo.get('new_commits')} new commit(s) scanned, {repo.get('commits')} in all"
        out += ["", f"{name}  [{line}]"]
        for f in (f for f in findings if f.get("repository") == name):
            commit = f.get("commit")
            where = f" (commit {str(commit)[:12]}, {f.get('author')}, {f.get('date')})"
            checked = verdict.label(f.get("verified"), verdict.reason_of(f))
            status_text = f"  [{checked}]" if checked else ""
            out.append(
                f"  {f.get('file')}:{f.get('line')}:{f.get('column')}  "
                f"{titles.get(str(f.get('rule')), f.get('rule'))}  {f.get('redacted')}"
                f"{where if commit else ''}{status_text}"
            )
            rotation = f.get("rotation")
            if isinstance(rotation, dict):
                out.append(f"      rotation: {rotation.get('status')}: {rotation.get('detail')}")
    skipped = report.get("scan", {}).get("skipped", [])
    if skipped:
        out += ["", f"Not scanned ({len(skipped)}):"]
        out += [f"  {s.get('repository')}: {s.get('file')}: {s.get('reason')}" for s in skipped]
    return "\n".join(out) + "\n"
