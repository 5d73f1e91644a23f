"""`leakstop allow`: accept a finding on purpose, list and withdraw acceptances.

An acceptance is a detect-secrets baseline entry: (file, type, SHA-1 of the key), so a moved
line stays accepted and any other key stays a finding. leakstop adds who, why and when as
extra fields (`accepted_by`, `accepted_reason`, `accepted_at`), which detect-secrets reads
past. The key itself is never written or shown: entries hold its hash, output its redaction.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakstop import git
from leakstop.errors import LeakstopError
from leakstop.findings import Finding
from leakstop.suppress.baseline import DEFAULT_NAME, normalize_path
from leakstop.textfile import read_text, write_text

_PLACE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<column>\d+))?$")
_HASH = re.compile(r"^[0-9a-fA-F]{6,40}$")


@dataclass(frozen=True)
class Place:
    file: str
    line: int
    column: int | None = None


@dataclass(frozen=True)
class Acceptance:
    """One baseline entry, as `--list` shows it."""

    file: str
    line: int
    type: str
    hashed_secret: str
    by: str | None = None
    reason: str | None = None
    at: str | None = None

    def describe(self) -> str:
        who = ", ".join(x for x in (self.by, self.at) if x) or "no author recorded"
        why = f": {self.reason}" if self.reason else ""
        return f"{self.hashed_secret}  {self.file}:{self.line}  {self.type}  ({who}{why})"


@dataclass(frozen=True)
class Allowed:
    finding: Finding
    added: tuple[Acceptance, ...]
    """New entries: leakstop's type, plus any other type stock detect-secrets gives the same
    key on that line (so detect-secrets-hook accepts it too). Empty: it was accepted already."""
    baseline: str
    created: bool
    stock_checked: bool = True
    """False when detect-secrets' own plugins could not be asked about the key (the entry
    then covers leakstop's type only)."""

    def lines(self) -> list[str]:
        """What was done, for the user: the key redacted, never shown."""
        where = f"{self.finding.file}:{self.finding.line}"
        what = f"{self.finding.redacted} ({self.finding.rule.title}) at {where}"
        if not self.added:
            return [f"unchanged  {what} is accepted already in {self.baseline}"]
        created = " (created)" if self.created else ""
        hashed = self.finding.hashed_secret
        lines = [f"accepted   {what}, hash {hashed}, in {self.baseline}{created}"]
        others = [a.type for a in self.added if a.type != self.finding.rule.title]
        if others:
            lines.append(f"           also for detect-secrets' {', '.join(others)} (same key)")
        if not self.stock_checked:
            lines.append(
                "note       detect-secrets' own plugins could not be asked about this key: "
                "detect-secrets-hook may still report it under another type"
            )
        return [*lines, f"next       commit {self.baseline}"]


def run(
    cwd: Path,
    *,
    place: str | None,
    reason: str,
    list_all: bool,
    withdraw: str | None,
    baseline: Path | None,
    say: Callable[[str], None],
) -> None:
    """`leakstop allow`: accept the finding at `place`, list the acceptances (`list_all`) or
    withdraw one (`withdraw`); one line per entry through `say`."""
    if list_all:
        entries = listed(cwd, baseline)
        for entry in entries:
            say(entry.describe())
        if not entries:
            say("no accepted findings")
    elif withdraw is not None:
        for entry in remove(cwd, withdraw, baseline):
            say(f"removed    {entry.describe()}")
    else:
        assert place is not None, "a place, list_all or withdraw"
        for line in allow(cwd, place, reason, baseline).lines():
            say(line)


def parse_place(spec: str) -> Place:
    match = _PLACE.match(spec)
    if match is None or int(match["line"]) < 1:
        raise LeakstopError(f"expected FILE:LINE (or FILE:LINE:COLUMN), got {spec!r}")
    column = int(match["column"]) if match["column"] else None
    return Place(match["file"], int(match["line"]), column)


def allow(
    cwd: Path, spec: str, reason: str, baseline: Path | None = None, now: float | None = None
) -> Allowed:
    """Accept the one key found at FILE:LINE[:COLUMN] in the work tree."""
    if not reason.strip():
        raise LeakstopError("--reason must say why the finding is accepted")
    root = git.require_repo(cwd, "leakstop allow")
    place = parse_place(spec)
    _repo_name(cwd, root, place.file)  # a file outside the repository has no baseline entry
    finding = _finding_at(cwd, place)
    path, data, created = _load(root, cwd, baseline)
    by = _author(root)
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    stock = _detect_secrets_types(root, finding, data)
    types = [finding.rule.title, *(stock or [])]
    entries = data["results"].setdefault(finding.file, [])
    known = {(e.get("type"), e.get("hashed_secret")) for e in entries if isinstance(e, dict)}
    added = []
    for secret_type in dict.fromkeys(types):
        if (secret_type, finding.hashed_secret) in known:
            continue
        entry = {
            "type": secret_type,
            "filename": finding.file,
            "hashed_secret": finding.hashed_secret,
            "is_verified": False,
            "line_number": finding.line,
            # Judged harmless: audited as "not a secret" (is_secret true would mean "a real
            # secret", which never suppresses).
            "is_secret": False,
            "accepted_by": by,
            "accepted_reason": reason.strip(),
            "accepted_at": at,
        }
        entries.append(entry)
        added.append(_acceptance(entry, finding.file))
    if created:
        _write_plugin_file(root)
    if added or created:
        _save(path, data)
    return Allowed(finding, tuple(added), _shown(path, root), created, stock is not None)


def listed(cwd: Path, baseline: Path | None = None) -> list[Acceptance]:
    root = git.require_repo(cwd, "leakstop allow --list")
    _, data, _ = _load(root, cwd, baseline, must_exist=True)
    return [
        _acceptance(entry, name)
        for name, entries in data["results"].items()
        for entry in entries
        if isinstance(entry, dict)
    ]


def remove(cwd: Path, target: str, baseline: Path | None = None) -> list[Acceptance]:
    """Withdraw the acceptance of one key: by its hash (or a unique prefix of 6+ hex digits),
    or by FILE:LINE (the key found at that line now, else the entries recorded there)."""
    root = git.require_repo(cwd, "leakstop allow --remove")
    path, data, _ = _load(root, cwd, baseline, must_exist=True)
    results: dict[str, list[Any]] = data["results"]
    pairs = _targets(cwd, root, target, results)
    if not pairs:
        raise LeakstopError(f"no accepted finding matches {target!r} (see `leakstop allow --list`)")
    removed = []
    for name in list(results):
        kept = []
        for entry in results[name]:
            if isinstance(entry, dict) and (name, entry.get("hashed_secret")) in pairs:
                removed.append(_acceptance(entry, name))
            else:
                kept.append(entry)
        if kept:
            results[name] = kept
        else:
            del results[name]
    _save(path, data)
    return removed


def _targets(cwd: Path, root: Path, target: str, results: dict[str, list[Any]]) -> set[Any]:
    """(file, hashed_secret) pairs `target` names."""
    everything = {
        (name, entry.get("hashed_secret")): entry
        for name, entries in results.items()
        for entry in entries
        if isinstance(entry, dict)
    }
    if _HASH.match(target) and not Path(target).exists():
        prefix = target.lower()
        hashes = {h for _, h in everything if isinstance(h, str) and h.startswith(prefix)}
        if len(hashes) > 1:
            raise LeakstopError(f"{target!r} matches {len(hashes)} keys; give more of the hash")
        return {pair for pair in everything if pair[1] in hashes}
    place = parse_place(target)
    name = _repo_name(cwd, root, place.file)
    # The key at that line now; when none is there any more (file gone, line edited), the
    # entries recorded at that line.
    now = (
        {f.hashed_secret for f in _findings(cwd, place)} if (cwd / place.file).is_file() else set()
    )
    return {
        (file, hashed)
        for (file, hashed), entry in everything.items()
        if normalize_path(file) == name
        and (hashed in now if now else entry.get("line_number") == place.line)
    }


def _finding_at(cwd: Path, place: Place) -> Finding:
    found = _findings(cwd, place)
    if place.column is not None:
        found = [f for f in found if f.column == place.column]
    keys = {f.hashed_secret: f for f in found}
    if not keys:
        raise LeakstopError(
            f"no finding at {place.file}:{place.line}"
            + (f":{place.column}" if place.column else "")
            + " (run `leakstop scan` for the places of the findings)"
        )
    if len(keys) > 1:
        choices = ", ".join(f"{f.redacted} at column {f.column}" for f in found)
        raise LeakstopError(
            f"{place.file}:{place.line} holds {len(keys)} keys ({choices}); accept one at a "
            "time as FILE:LINE:COLUMN"
        )
    return found[0]


def _findings(cwd: Path, place: Place) -> list[Finding]:
    from leakstop.scan import ScanRequest, run

    target = cwd / place.file
    if not target.is_file():
        what = "not a file" if target.exists() else "no such file"
        raise LeakstopError(f"{what}: {place.file}")
    # Without the baseline: a key already accepted is still the key at that place.
    result = run(ScanRequest(cwd=cwd, paths=(place.file,), use_baseline=False))
    return [f for f in result.findings if f.line == place.line]


def _repo_name(cwd: Path, root: Path, file: str) -> str:
    absolute = (cwd / file).resolve()
    try:
        return normalize_path(absolute.relative_to(root.resolve()).as_posix())
    except ValueError:
        raise LeakstopError(f"{file} is outside the repository") from None


def _detect_secrets_types(root: Path, finding: Finding, data: dict[str, Any]) -> list[str] | None:
    """The types the baseline's stock detect-secrets plugins give the same key on the same
    line (a high-entropy string, a keyword), so that detect-secrets-hook accepts it too;
    None when detect-secrets could not be asked."""
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import transient_settings

    stock = [p for p in data.get("plugins_used", []) if isinstance(p, dict) and "path" not in p]
    # Plugins only, no filters: the verification filter would call providers' APIs.
    collection = SecretsCollection(root=str(root))
    try:
        with transient_settings({"plugins_used": stock, "filters_used": []}):
            collection.scan_file(finding.file)
    except Exception:  # a stock plugin's quirk must not stop the acceptance itself (said)
        return None
    return sorted(
        secret.type
        for _, secret in collection
        if secret.line_number == finding.line and secret.secret_hash == finding.hashed_secret
    )


def _load(
    root: Path, cwd: Path, baseline: Path | None, must_exist: bool = False
) -> tuple[Path, dict[str, Any], bool]:
    path = root / DEFAULT_NAME if baseline is None else cwd / baseline
    text = read_text(path)
    if text is None:
        if must_exist:
            raise LeakstopError(f"no baseline at {_shown(path, root)}: nothing is accepted yet")
        from leakstop.plugin.wiring import configure_baseline

        return path, configure_baseline(None), True  # what `leakstop init` writes
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LeakstopError(f"baseline {_shown(path, root)} is not valid JSON ({reason})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise LeakstopError(f"baseline {_shown(path, root)} has no 'results' object")
    return path, data, False


def _write_plugin_file(root: Path) -> None:
    """A new baseline names the plugin file (as `leakstop init` writes it): detect-secrets
    cannot load the baseline without it."""
    from leakstop.plugin.wiring import PLUGIN_FILE, PLUGIN_FILE_TEXT

    plugin = root / PLUGIN_FILE
    if read_text(plugin) is None:
        write_text(plugin, PLUGIN_FILE_TEXT)


def _save(path: Path, data: dict[str, Any]) -> None:
    # detect-secrets' own order (files sorted; entries by line, hash, type), so its next
    # rewrite of the file moves nothing.
    results = data["results"]
    data["results"] = {
        name: sorted(
            results[name],
            key=lambda e: (
                (e.get("line_number", 0), str(e.get("hashed_secret")), str(e.get("type")))
                if isinstance(e, dict)
                else (0, "", "")
            ),
        )
        for name in sorted(results)
    }
    write_text(path, json.dumps(data, indent=2) + "\n")


def _acceptance(entry: dict[str, Any], file: str) -> Acceptance:
    def text(name: str) -> str | None:
        value = entry.get(name)
        return value if isinstance(value, str) else None

    line = entry.get("line_number")
    return Acceptance(
        file=file,
        line=line if isinstance(line, int) else 0,
        type=text("type") or "?",
        hashed_secret=text("hashed_secret") or "?",
        by=text("accepted_by"),
        reason=text("accepted_reason"),
        at=text("accepted_at"),
    )


def _author(root: Path) -> str:
    """`Name <email>` from git config, as the commit would be signed; else `unknown`."""
    name = git.run(["config", "--get", "user.name"], root, check=False).decode().strip()
    email = git.run(["config", "--get", "user.email"], root, check=False).decode().strip()
    if name and email:
        return f"{name} <{email}>"
    return name or email or "unknown"


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
