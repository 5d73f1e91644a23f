"""One self-contained HTML page for people: totals per provider and repository, a chart of
when keys were introduced, and a sortable, filterable table of findings.

No network at view time: CSS, script and chart (an SVG drawn here) are inline, and a
Content-Security-Policy allows nothing else to load (the inline style and script are allowed
by their hashes, so even a string that slipped past escaping could not run). The only
addresses in the page are commit links to GitHub, GitLab or Bitbucket, as plain links.
Every value is escaped; keys appear redacted only, as in every report.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from datetime import datetime, timezone
from html import escape

from leakstop import __version__
from leakstop.outcomes import RotationStatus, Verdict
from leakstop.providers import all_providers
from leakstop.report.json_types import JsonObject
from leakstop.report.reader import parse
from leakstop.report.records import FindingRecord, Report, ScanTotals, SkippedRecord
from leakstop.report.sweep_records import RepositoryRecord, RepoStatus
from leakstop.wording import count

Findings = list[FindingRecord]
Repositories = list[RepositoryRecord] | None

_COLORS = ("#5b5bd6", "#0b8ad8", "#e08a00", "#12a071", "#c2417a", "#6b7280")
_STATUSES = ("live", "invalid", "unknown", "unchecked")
_STATUS_TEXT = {
    "live": "live",
    "invalid": "invalid",
    "unknown": "unknown",
    "unchecked": "not checked",
}
_COMMIT_MODES = ("range", "pre-push", "history")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")

_STYLE = """
:root{--ink:#1f2330;--muted:#5d6475;--line:#e3e6ee;--bg:#f6f7fb;--card:#fff;--bad:#c62828;
--good:#1b7f3b;--warn:#a15c00}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
background:var(--bg)}
header{background:#1f2330;color:#fff;padding:20px 32px}
header h1{margin:0;font-size:22px;font-weight:600}
header p{margin:4px 0 0;color:#c5c9d6}
main{padding:20px 32px 40px;max-width:1500px}
h2{font-size:16px;margin:28px 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;
min-width:150px}
.card .n{font-size:26px;font-weight:650}
.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .s{color:var(--muted);font-size:12px}
.card.alert .n{color:var(--bad)}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.c0{background:#5b5bd6}.c1{background:#0b8ad8}.c2{background:#e08a00}.c3{background:#12a071}
.c4{background:#c2417a}.c5{background:#6b7280}
table{border-collapse:collapse;background:var(--card);border:1px solid var(--line);width:100%}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef0f6;font-weight:600;position:sticky;top:0}
th button{all:unset;cursor:pointer;display:block;width:100%}
th button:focus-visible{outline:2px solid #5b5bd6}
th[aria-sort=ascending] button::after{content:" \\25B2";font-size:10px}
th[aria-sort=descending] button::after{content:" \\25BC";font-size:10px}
tbody tr:nth-child(even){background:#fafbfd}
td.num,th.num{text-align:right}
td code,td.key{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
td.file,td.repo{word-break:break-all;max-width:360px}
td.nw{white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;
background:#eceef3;color:var(--muted);white-space:nowrap}
.badge.live,.badge.failed,.badge.rot-failed{background:#fde7e7;color:var(--bad)}
.badge.invalid,.badge.ok,.badge.rot-rotated,.badge.rot-already_invalid{background:#e3f4e8;
color:var(--good)}
.badge.rot-rate_limited,.badge.rot-dry_run,.badge.empty{background:#fff1d6;color:var(--warn)}
.reason{color:var(--bad);font-size:12px}
.why{color:var(--muted);font-size:12px}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:10px}
.controls input,.controls select{font:inherit;padding:5px 8px;border:1px solid #c9cdd9;
border-radius:6px;background:#fff}
.controls input{min-width:340px}
#shown{color:var(--muted)}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px}
.chart svg{width:100%;height:auto;max-height:260px}
.chart text{font-size:11px;fill:#5d6475}
.chart line{stroke:#e3e6ee}
.legend{display:flex;gap:14px;flex-wrap:wrap;margin-top:6px;color:var(--muted);font-size:12px}
.empty-note{color:var(--muted)}
footer{color:var(--muted);font-size:12px;padding:0 32px 24px}
"""

_SCRIPT = """
(function(){
var table=document.getElementById('findings');if(!table)return;
var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
var q=document.getElementById('q'),prov=document.getElementById('provider'),
stat=document.getElementById('status'),shown=document.getElementById('shown');
var heads=Array.prototype.slice.call(table.tHead.rows[0].cells);
var sortCol=-1,sortDir=1;
function value(row,i){var c=row.cells[i];return c.getAttribute('data-v')||c.textContent;}
function apply(){var text=q.value.trim().toLowerCase(),n=0;
rows.forEach(function(r){var ok=(!text||r.textContent.toLowerCase().indexOf(text)>=0)&&
(!prov.value||r.getAttribute('data-provider')===prov.value)&&
(!stat.value||r.getAttribute('data-status')===stat.value);r.hidden=!ok;if(ok)n++;});
shown.textContent=n+' of '+rows.length+' findings';save();}
function sortBy(i,dir){sortCol=i;sortDir=dir;var num=heads[i].classList.contains('num');
rows.sort(function(a,b){var x=value(a,i),y=value(b,i);
var d=num?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y);return d*dir;});
rows.forEach(function(r){body.appendChild(r);});
heads.forEach(function(h,j){if(j===i)h.setAttribute('aria-sort',dir>0?'ascending':'descending');
else h.removeAttribute('aria-sort');});save();}
function save(){var p=[];if(q.value)p.push('q='+encodeURIComponent(q.value));
if(prov.value)p.push('provider='+encodeURIComponent(prov.value));
if(stat.value)p.push('status='+encodeURIComponent(stat.value));
if(sortCol>=0)p.push('sort='+heads[sortCol].getAttribute('data-key')+
'&dir='+(sortDir>0?'asc':'desc'));
if(history.replaceState)history.replaceState(null,'',p.length?'#'+p.join('&'):location.pathname);}
heads.forEach(function(h,i){var b=h.querySelector('button');if(b)b.addEventListener('click',
function(){sortBy(i,sortCol===i?-sortDir:1);});});
[q,prov,stat].forEach(function(el){el.addEventListener('input',apply);
el.addEventListener('change',apply);});
var args={};location.hash.replace(/^#/,'').split('&').forEach(function(kv){
var m=kv.split('=');if(m[0])args[m[0]]=decodeURIComponent(m.slice(1).join('='));});
if(args.q)q.value=args.q;if(args.provider)prov.value=args.provider;
if(args.status)stat.value=args.status;
if(args.sort){heads.forEach(function(h,i){if(h.getAttribute('data-key')===args.sort)
sortBy(i,args.dir==='desc'?-1:1);});}
apply();
})();
"""


def render_report(data: JsonObject) -> str:
    """A report read from JSON."""
    return render(parse(data, "the report"))


def render(report: Report) -> str:
    findings = report.findings
    repositories = report.repositories
    scan = report.scan
    colors = _provider_colors(findings)
    sections = [
        _totals(findings, repositories, colors),
        _repositories(repositories) if repositories is not None else "",
        _chart(findings, colors),
        _findings(findings, repositories),
        _skipped(scan.skipped),
    ]
    csp = (
        "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
        f"style-src {_hash(_STYLE)}; script-src {_hash(_SCRIPT)}"
    )
    title = _title(findings, repositories, scan)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n"
        f"<style>{_STYLE}</style></head>\n<body>\n"
        f"<header><h1>{_e(title)}</h1><p>{_e(_subtitle(scan, repositories))}</p></header>\n"
        f"<main>{''.join(sections)}</main>\n"
        f"<footer>leakstop {_e(__version__)}. Keys are shown redacted; this file holds no key "
        "material and loads nothing from the network.</footer>\n"
        f"<script>{_SCRIPT}</script>\n</body></html>\n"
    )


# -- pieces -----------------------------------------------------------------------------
def _title(findings: Findings, repositories: Repositories, scan: ScanTotals) -> str:
    keys = len(findings)
    what = f"{keys} API key finding{'' if keys == 1 else 's'}"
    if repositories is not None:
        count = len(repositories)
        return f"leakstop sweep: {what} in {count} repositor{'y' if count == 1 else 'ies'}"
    return f"leakstop {scan.mode}: {what}"


def _subtitle(scan: ScanTotals, repositories: Repositories) -> str:
    parts = []
    if scan.started:
        parts.append(f"started {scan.started}")
    commits = scan.commits
    if repositories is not None:
        # An incremental re-run scans only new commits: say so, and what all runs covered.
        total = sum(r.commits for r in repositories)
        parts.append(f"{count(commits, 'commit')} scanned by this run, {total} in all")
        failed = sum(r.status == RepoStatus.FAILED for r in repositories)
        if failed:
            parts.append(f"{failed} could not be swept")
    elif commits or scan.mode in _COMMIT_MODES:
        parts.append(f"{count(commits, 'commit')} scanned")
    else:
        parts.append(f"{count(scan.files, 'file')} scanned")
    if scan.seconds is not None:
        parts.append(f"{scan.seconds} s")
    return " · ".join(parts)


def _totals(findings: Findings, repositories: Repositories, colors: dict[str, int]) -> str:
    distinct = len({f.hashed_secret for f in findings})
    live = len({f.hashed_secret for f in findings if f.verified == Verdict.LIVE})
    checked = any(f.verified is not None for f in findings)
    cards = [_card(len(findings), "findings", f"{distinct} distinct key(s)")]
    if repositories is not None:
        hit = len({f.repository for f in findings})
        failed = sum(r.status == RepoStatus.FAILED for r in repositories)
        cards.append(_card(hit, "repositories with keys", f"of {len(repositories) - failed} swept"))
        if failed:
            cards.append(_card(failed, "not swept", "see the repositories", alert=True))
    if checked:
        rotated = len(
            {
                f.hashed_secret
                for f in findings
                if f.rotation is not None and f.rotation.status == RotationStatus.ROTATED
            }
        )
        sub = f"{rotated} rotated since" if rotated else "when checked"
        cards.append(_card(live, "live keys", sub, alert=live > rotated))
    per_provider = Counter(str(f.provider) for f in findings)
    for name, title in _provider_titles(findings):
        keys = {f.hashed_secret for f in findings if f.provider == name}
        swatch = f'<span class="sw c{colors[name]}"></span>'
        cards.append(
            f'<div class="card"><div class="n">{per_provider[name]}</div>'
            f'<div class="l">{swatch}{_e(title)}</div>'
            f'<div class="s">{len(keys)} distinct key(s)</div></div>'
        )
    return f'<section><h2>Totals</h2><div class="cards">{"".join(cards)}</div></section>'


def _card(number: int, label: str, sub: str, alert: bool = False) -> str:
    return (
        f'<div class="card{" alert" if alert else ""}"><div class="n">{number}</div>'
        f'<div class="l">{_e(label)}</div><div class="s">{_e(sub)}</div></div>'
    )


def _repositories(repositories: list[RepositoryRecord]) -> str:
    if not repositories:
        return '<section><h2>Repositories</h2><p class="empty-note">None.</p></section>'
    rows = []
    for repo in repositories:
        status = str(repo.status)
        reason = repo.reason
        rows.append(
            "<tr>"
            f'<td class="repo">{_e(repo.repository)}'
            + (f'<div class="reason">{_e(reason)}</div>' if reason else "")
            + "</td>"
            f'<td><span class="badge {_e(status)}">{_e(status)}</span></td>'
            f'<td class="num">{_e(repo.commits)}</td>'
            f'<td class="num">{_e(repo.new_commits)}</td>'
            f'<td class="num">{_e(repo.findings)}</td>'
            "</tr>"
        )
    return (
        '<section><h2>Repositories</h2><table id="repositories"><thead><tr>'
        '<th>Repository</th><th>Status</th><th class="num">Commits</th>'
        '<th class="num">New this run</th><th class="num">Findings</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _chart(findings: Findings, colors: dict[str, int]) -> str:
    dated = [(_when(f.date), str(f.provider)) for f in findings]
    points = [(when, provider) for when, provider in dated if when is not None]
    head = "<section><h2>When keys were introduced</h2>"
    if not points:
        return head + '<p class="empty-note">No finding carries a commit date.</p></section>'
    first = min(w for w, _ in points)
    last = max(w for w, _ in points)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    by_year = months > 60
    if by_year:
        labels = [str(y) for y in range(first.year, last.year + 1)]
        bucket = {w: str(w.year) for w, _ in points}
    else:
        labels = []
        year, month = first.year, first.month
        for _ in range(months):
            labels.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        bucket = {w: f"{w.year:04d}-{w.month:02d}" for w, _ in points}
    counts: dict[str, Counter[str]] = {label: Counter() for label in labels}
    for when, provider in points:
        counts[bucket[when]][provider] += 1
    return (
        head
        + '<div class="chart">'
        + _svg(labels, counts, colors)
        + '<div class="legend">'
        + "".join(
            f'<span><span class="sw c{colors[name]}"></span>{_e(title)}</span>'
            for name, title in _provider_titles(findings)
        )
        + f"<span>per {'year' if by_year else 'month'} of the commit that added the key</span>"
        + "</div></div></section>"
    )


def _svg(labels: list[str], counts: dict[str, Counter[str]], colors: dict[str, int]) -> str:
    width, height, left, right, top, bottom = 900, 240, 40, 10, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(sum(c.values()) for c in counts.values())
    slot = plot_w / len(labels)
    bar = max(1.0, min(48.0, slot * 0.72))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Findings per period of introduction">'
    ]
    step = -(-peak // 4)  # at most five evenly spaced gridlines, whole numbers
    for tick in sorted({*range(0, peak + 1, step), peak}):
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"></line>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    every = max(1, -(-len(labels) // 12))
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for provider in sorted(counts[label]):
            n = counts[label][provider]
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{_COLORS[colors.get(provider, len(_COLORS) - 1)]}">'
                f"<title>{_e(label)} · {_e(provider)}: {n}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{_e(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _findings(findings: Findings, repositories: Repositories) -> str:
    links = {
        r.repository: r.commit_link
        for r in repositories or []
        if r.commit_link is not None and r.commit_link.startswith("https://")
    }
    with_repo = repositories is not None or any(f.repository is not None for f in findings)
    columns = [
        ("repository", "Repository", ""),
        ("provider", "Provider", ""),
        ("commit", "Commit", ""),
        ("author", "Author", ""),
        ("date", "Date", ""),
        ("file", "File", ""),
        ("line", "Line", "num"),
        ("key", "Key", ""),
        ("confidence", "Confidence", ""),
        ("verified", "Verified", ""),
        ("rotation", "Rotation", ""),
    ]
    if not with_repo:
        columns = columns[1:]
    head = "".join(
        f'<th data-key="{key}"{_class(css)}><button type="button">{title}</button></th>'
        for key, title, css in columns
    )
    rows = [_row(f, with_repo, links) for f in findings]
    providers = "".join(
        f'<option value="{_e(name)}">{_e(title)}</option>'
        for name, title in _provider_titles(findings)
    )
    statuses = "".join(f'<option value="{s}">{_STATUS_TEXT[s]}</option>' for s in _STATUSES)
    controls = (
        '<div class="controls">'
        '<input id="q" type="search" placeholder="Filter by repository, file, author, commit…" '
        'aria-label="Filter findings">'
        f'<select id="provider" aria-label="Provider"><option value="">All providers</option>'
        f"{providers}</select>"
        '<select id="status" aria-label="Verified status"><option value="">Any status</option>'
        f"{statuses}</select>"
        f'<span id="shown">{len(findings)} of {len(findings)} findings</span></div>'
    )
    note = "" if findings else '<p class="empty-note">No API keys found.</p>'
    return (
        f"<section><h2>Findings</h2>{controls}"
        f'<table id="findings"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{note}</section>"
    )


def _row(finding: FindingRecord, with_repo: bool, links: dict[str, str]) -> str:
    repository = finding.repository or ""
    sha = finding.commit or ""
    if sha and _SHA.match(sha) and repository in links:
        commit = (
            f'<a href="{_e(links[repository] + sha)}" rel="noopener noreferrer" '
            f'title="{_e(sha)}"><code>{_e(sha[:10])}</code></a>'
        )
    elif sha:
        commit = f'<code title="{_e(sha)}">{_e(sha[:10])}</code>'
    else:
        commit = ""
    author = finding.author or ""
    name = author.split(" <", 1)[0]
    when = _when(finding.date)
    date_value = when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""
    date_shown = when.strftime("%Y-%m-%d %H:%M") if when else ""
    status = str(finding.verified or "unchecked")
    reason = finding.verify_reason
    rotation = finding.rotation
    rot_status = str(rotation.status) if rotation else ""
    rot_detail = rotation.detail if rotation else ""
    provider = finding.provider or ""
    rule = finding.rule
    cells = [
        f'<td class="repo">{_e(repository)}</td>' if with_repo else "",
        f'<td data-v="{_e(provider)} {_e(rule)}">{_e(finding.kind.title)}</td>',
        f'<td class="nw" data-v="{_e(sha)}">{commit}</td>',
        f'<td title="{_e(author)}">{_e(name)}</td>',
        f'<td class="nw" data-v="{_e(date_value)}">{_e(date_shown)}</td>',
        f'<td class="file"><code>{_e(finding.file)}</code></td>',
        f'<td class="num">{_e(finding.line)}</td>',
        f'<td class="key nw">{_e(finding.redacted)}</td>',
        f'<td class="nw">{_e(finding.confidence or "certain")}</td>',
        f'<td data-v="{_e(status)}"><span class="badge {_e(status)}"'
        + (f' title="{_e(reason)}"' if reason else "")
        + f">{_e(_STATUS_TEXT.get(status, status))}</span>"
        + (f'<div class="why">{_e(reason)}</div>' if reason else "")
        + "</td>",
        f'<td data-v="{_e(rot_status)}">'
        + (
            f'<span class="badge rot-{_e(rot_status)}" title="{_e(rot_detail)}">'
            f"{_e(rot_status.replace('_', ' '))}</span>"
            if rot_status
            else ""
        )
        + "</td>",
    ]
    return (
        f'<tr class="finding" data-provider="{_e(provider)}" data-status="{_e(status)}">'
        + "".join(cells)
        + "</tr>"
    )


def _skipped(skipped: list[SkippedRecord]) -> str:
    if not skipped:
        return ""
    items = "".join(
        "<li>"
        + (f"{_e(s.repository)}: " if s.repository else "")
        + f"<code>{_e(s.file)}</code>: {_e(s.reason)}</li>"
        for s in skipped
    )
    return (
        f"<section><h2>Not scanned</h2><details><summary>{len(skipped)} file(s) could not be "
        f"scanned</summary><ul>{items}</ul></details></section>"
    )


# -- helpers ----------------------------------------------------------------------------
def _class(css: str) -> str:
    return f' class="{css}"' if css else ""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _provider_titles(findings: Findings) -> list[tuple[str, str]]:
    present = {str(f.provider) for f in findings}
    known = {p.name: p.title for p in all_providers()}
    return [(name, known.get(name, name)) for name in sorted(present)]


def _provider_colors(findings: Findings) -> dict[str, int]:
    """provider -> its colour's index (the `cN` class, and `_COLORS[N]` in the chart)."""
    names = [p.name for p in all_providers()]
    names += sorted({str(f.provider) for f in findings} - set(names))
    return {name: min(i, len(_COLORS) - 1) for i, name in enumerate(names)}
