"""The sweep's report for a terminal: findings grouped by repository, then the repositories
that could not be swept and the files that could not be scanned."""

from __future__ import annotations

from leakstop.report import verdict
from leakstop.report.records import Report
from leakstop.report.sweep_records import RepoStatus


def render(report: Report) -> str:
    findings = report.findings
    repositories = report.repositories or []
    failed = [r for r in repositories if r.status == RepoStatus.FAILED]
    with_keys = {f.repository for f in findings}
    out = [
        f"leakstop: {len(findings)} API key finding(s) in {len(with_keys)} of "
        f"{len(repositories)} repositories"
        + (f"; {len(failed)} could not be swept." if failed else ".")
    ]
    for repo in repositories:
        name = repo.repository
        if repo.status == RepoStatus.FAILED:
            line = f"FAILED: {repo.reason}"
        elif repo.status == RepoStatus.EMPTY:
            line = "empty (no commits)"
        else:
            line = f"{repo.new_commits} new commit(s) scanned, {repo.commits} in all"
        out += ["", f"{name}  [{line}]"]
        for f in (f for f in findings if f.repository == name):
            where = f" (commit {f.commit[:12]}, {f.author}, {f.date})" if f.commit else ""
            checked = verdict.label(f.verified, f.verify_reason)
            status_text = f"  [{checked}]" if checked else ""
            out.append(
                f"  {f.file}:{f.line}:{f.column}  {f.kind.title}  {f.redacted}{where}{status_text}"
            )
            if f.rotation is not None:
                out.append(f"      rotation: {f.rotation.status}: {f.rotation.detail}")
    skipped = report.scan.skipped
    if skipped:
        out += ["", f"Not scanned ({len(skipped)}):"]
        out += [f"  {s.repository}: {s.file}: {s.reason}" for s in skipped]
    return "\n".join(out) + "\n"
