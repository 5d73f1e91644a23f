"""The HTML and CSV reports: self-contained, escaped, keyless; the HTML opened in headless
Chromium with no network (screenshot and rendered DOM), when Chromium is installed."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from leakstop.report import html as html_report
from tests.testing import Repo, RunCli, assert_no_leak, init_repo, new_key

ODD_NAME = 'conf/<b>&"it\'s".env'
BROWSER = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


class _Page(HTMLParser):
    """Every URL-bearing attribute, the inline scripts and styles, and the findings rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []
        self.rows: list[dict[str, Any]] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self.meta: dict[str, str] = {}
        self._in: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name in ("src", "href", "action", "srcset", "poster", "data", "xlink:href"):
            if name in values:
                self.urls.append((tag, name, values[name]))
        if tag == "meta" and "http-equiv" in values:
            self.meta[values["http-equiv"].lower()] = values.get("content", "")
        if tag in self.inline:
            self._in = tag
            self.inline[tag].append("")
        if tag == "tr" and values.get("class") == "finding":
            self.rows.append({"attrs": values, "cells": []})
        if tag == "td" and self.rows and self._cell is None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.inline:
            self._in = None
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self.inline[self._in][-1] += data
        if self._cell is not None:
            self._cell.append(data)


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _sweep_repos(tmp_path: Path) -> tuple[list[str], list[Repo]]:
    keys = [new_key("electronhub-api-key"), new_key("scrapebit-api-key")]
    keys += [new_key("syncline-user-key") for _ in range(3)]
    app = init_repo(tmp_path / "app")
    app.git("remote", "add", "origin", "git@github.com:acme/app.git")
    app.stage(ODD_NAME, f"EH={keys[0]}\n")
    app.git("commit", "-q", "-m", "odd", "--date", "2023-01-15T10:00:00Z")
    app.stage("b.env", f"SB={keys[1]}\n")
    app.git(
        "commit",
        "--author",
        'Eve & "Mallory" O\'Neil <eve@example.invalid>',
        "-q",
        "-m",
        "x",
        "--date",
        "2023-03-02T10:00:00+05:00",
    )
    tools = init_repo(tmp_path / "tools")
    for i, key in enumerate(keys[2:]):
        tools.stage(f"s{i}.env", f"SYNCLINE={key}\n")
        tools.git("commit", "-q", "-m", "s", "--date", f"2024-0{i + 2}-01T00:00:00Z")
    broken = init_repo(tmp_path / "broken")
    (broken.path / ".git" / "HEAD").write_text("garbage\n")
    return keys, [app, tools]


def _swept_html(tmp_path: Path, run_cli: RunCli) -> tuple[list[str], Path, dict[str, Any]]:
    keys, _ = _sweep_repos(tmp_path)
    args = ["sweep", "--cache", str(tmp_path / "cache"), "app", "tools", "broken"]
    report = tmp_path / "report.html"
    outcome = run_cli([*args, "--format", "html", "-o", str(report)], tmp_path, keys=keys)
    assert outcome.code == 1 and outcome.out == ""
    data = json.loads(run_cli([*args, "--format", "json"], tmp_path, keys=keys).out)
    return keys, report, data


def test_html_is_self_contained_escaped_and_keyless(tmp_path: Path, run_cli: RunCli) -> None:
    keys, report, data = _swept_html(tmp_path, run_cli)
    text = report.read_text(encoding="utf-8")
    assert_no_leak([text], keys)
    page = _page(text)
    # No resource is fetched: the only addresses are the commit links, plain <a> links.
    for tag, attr, url in page.urls:
        assert (tag, attr) == ("a", "href"), (tag, attr, url)
        assert re.fullmatch(r"https://github\.com/acme/app/commit/[0-9a-f]{40}", url), url
    assert len(page.urls) == 2
    assert not re.search(
        r"url\(|@import|https?://(?!github\.com/acme/app/commit/)",
        text.replace('xmlns="http://www.w3.org/2000/svg"', ""),
    )
    # The policy allows exactly the inline style and script, by hash, and nothing else.
    policy = page.meta["content-security-policy"]
    assert "default-src 'none'" in policy
    for kind, directive in (("style", "style-src"), ("script", "script-src")):
        (body,) = page.inline[kind]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy
    assert " style=" not in text
    # Escaped: the odd file name and the author's markup are text, not markup.
    assert "Eve &amp; &quot;Mallory&quot; O&#x27;Neil" in text
    assert text.count("<script>") == 1
    assert "conf/&lt;b&gt;&amp;&quot;it&#x27;s&quot;.env" in text
    rows = [(r["cells"][0], r["cells"][5], r["cells"][7]) for r in page.rows]
    assert rows == [(f["repository"], f["file"], f["redacted"]) for f in data["findings"]], (
        "one row per finding, in the report's order"
    )
    assert "Totals" in text and "When keys were introduced" in text
    assert "not a git repository" in text
    assert text.count("<rect ") == 5  # 2023-01, 2023-03, and three months of 2024


def _chromium(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert BROWSER is not None
    return subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp_path / ('profile-' + name)}",
            *args,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the raw (filtered) scanlines of a PNG file, standard library only."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return size[0], size[1], zlib.decompress(idat)


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed (scripts/test installs it)")
def test_html_renders_in_headless_chromium(tmp_path: Path, run_cli: RunCli) -> None:
    keys, report, data = _swept_html(tmp_path, run_cli)
    url = report.as_uri()
    shot = tmp_path / "report.png"
    _chromium(tmp_path, "shot", f"--screenshot={shot}", "--window-size=1400,1500", url)
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (1400, 1500)
    assert shot.stat().st_size > 20_000, "a blank page compresses to almost nothing"
    assert len(set(pixels)) > 64, "the screenshot has text, cards and a chart, not one colour"

    dom = _chromium(tmp_path, "dom", "--virtual-time-budget=5000", "--dump-dom", url)
    page = _page(dom.stdout.decode("utf-8"))
    assert [(r["cells"][0], r["cells"][1], r["cells"][5], r["cells"][6]) for r in page.rows] == [
        (f["repository"], _title(f["rule"]), f["file"], str(f["line"])) for f in data["findings"]
    ]
    assert not any("hidden" in r["attrs"] for r in page.rows)
    assert "5 of 5 findings" in dom.stdout.decode()
    assert_no_leak([dom.stdout.decode()], keys)

    # The script ran: a filter and a sort from the address, as a shared link would carry.
    dom = _chromium(
        tmp_path,
        "filtered",
        "--virtual-time-budget=5000",
        "--dump-dom",
        url + "#provider=syncline&sort=date&dir=desc",
    )
    page = _page(dom.stdout.decode("utf-8"))
    visible = [r for r in page.rows if "hidden" not in r["attrs"]]
    assert [r["attrs"]["data-provider"] for r in visible] == ["syncline"] * 3
    dates = [r["cells"][4] for r in visible]
    assert dates == sorted(dates, reverse=True) and dates[0].startswith("2024-04")
    assert "3 of 5 findings" in dom.stdout.decode()
    assert 'aria-sort="descending"' in dom.stdout.decode()


def _title(rule_id: str) -> str:
    from leakstop.providers import get_rule

    return get_rule(rule_id).title


def test_scan_reports_in_html_and_csv(repo: Repo, run_cli: RunCli) -> None:
    keys = [new_key("electronhub-api-key"), new_key("scrapebit-test-key")]
    repo.stage("a.env", f"EH={keys[0]}\n")
    repo.git("commit", "-q", "-m", "old", "--date", "2015-06-01T00:00:00Z")
    repo.stage("=cmd.env", f"SB={keys[1]}\n")
    repo.git("commit", "--author", "@SUM(A1) <a@b.invalid>", "-qm", "new", "--date", "2024-06-01Z")
    page = run_cli(["scan", "--history", "--format", "html"], repo.path, keys=keys)
    assert page.code == 1
    assert "per year of the commit" in page.out  # nine years: one bar per year
    assert page.out.count("<rect ") == 2 and ">2015<" in page.out and ">2024<" in page.out
    assert '<th data-key="repository"' not in page.out
    assert "leakstop history: 2 API key findings" in page.out

    table = run_cli(["scan", "--history", "--format", "csv"], repo.path, keys=keys)
    assert table.out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(table.out.lstrip("\ufeff"))))
    assert [r["file"] for r in rows] == ["a.env", "'=cmd.env"]
    assert rows[1]["author"].startswith("'@SUM(A1)")
    assert rows[0]["line"] == "1" and rows[0]["rotation"] == ""
    assert_no_leak([page.out, table.out], keys)

    repo.write("clean.txt", "nothing\n")
    clean = run_cli(["scan", "--format", "html", "clean.txt"], repo.path)
    assert "No API keys found." in clean.out
    assert "No finding carries a commit date." in clean.out


def test_html_edge_values() -> None:
    report: dict[str, Any] = {
        "version": 1,
        "scan": {"mode": "sweep", "commits": 0, "skipped": [{"file": "x.bin", "reason": "binary"}]},
        "repositories": [],
        "findings": [
            {
                "repository": "r",
                "provider": "newcomer",
                "rule": "newcomer-key",
                "file": "f",
                "line": 3,
                "commit": "not-a-sha",
                "date": "2024-01-02T03:04:05",
                "verified": "live",
                "rotation": {"status": "rotated", "detail": "new key saved"},
            },
            {"repository": "r", "provider": "newcomer", "rule": "x", "file": "g", "date": "bad"},
            {"repository": "r", "provider": "newcomer", "rule": "x", "file": "h"},
        ],
    }
    text = html_report.render_report(report)
    assert '<code title="not-a-sha">not-a-sha</code>' in text
    assert "live keys" in text and 'class="badge rot-rotated"' in text
    assert "1 rotated since" in text
    del report["findings"][0]["rotation"]
    assert "when checked" in html_report.render_report(report)
    assert "x.bin" in text and "None." in text
    assert 'data-v="2024-01-02T03:04:05Z"' in text
