"""What a sweep looks at: repositories named as local paths, git URLs or list files.

Every target gets an identity (what makes two spellings the same repository: scheme, user,
credentials, `.git` and trailing slashes do not count) and a display name that never carries
credentials (an https URL's user part often is a token).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from leakstop.errors import LeakstopError

SCHEMES = {"file", "ssh", "git", "http", "https", "git+ssh", "ssh+git"}
_DEFAULT_PORTS = {"ssh": 22, "git+ssh": 22, "ssh+git": 22, "git": 9418, "http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_TRANSPORT = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
# git's scp-like syntax: [user@]host:path, with no slash before the colon.
_SCP = re.compile(r"^(?:(?P<user>[^@/:\s]+)@)?(?P<host>[^@/:\s]+):(?P<path>.*)$")


@dataclass(frozen=True)
class Target:
    identity: str
    """Normalized: `host[:port]/path` for remotes, `file:PATH` for file URLs, `path:PATH`."""
    name: str
    """What reports call it: the absolute path, or the URL without credentials."""
    location: str
    """What git is given: the absolute path, or the URL as the user wrote it."""
    remote: bool

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.identity.encode("utf-8", "surrogateescape")).hexdigest()

    @property
    def slug(self) -> str:
        """A file-name-safe handle: the repository's last name plus a digest of its identity."""
        last = re.split(r"[/:]", self.identity.rstrip("/"))[-1] or "repo"
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", last).lstrip(".")[:40] or "repo"
        return f"{safe}-{self.digest[:16]}"


def parse(spec: str, base: Path) -> Target:
    """One target; relative paths are relative to `base`."""
    text = spec.strip()
    if not text:
        raise LeakstopError("an empty repository name")
    if _TRANSPORT.match(text):
        raise LeakstopError(f"{shown(text)}: the transport::address form is not accepted")
    scheme = _SCHEME.match(text)
    if scheme:
        return _url(text, scheme.group(1).lower())
    scp = _SCP.match(text)
    if scp and not (base / text).exists() and len(scp.group("host")) > 1:
        repo = _clean_path(scp.group("path"))
        if not repo:
            raise LeakstopError(f"{shown(text)}: no repository path after the host")
        host = scp.group("host").lower()
        return Target(f"{host}/{repo}", shown(text), text, remote=True)
    resolved = (base / Path(text).expanduser()).resolve()
    return Target(f"path:{resolved}", str(resolved), str(resolved), remote=False)


def _url(text: str, scheme: str) -> Target:
    if scheme not in SCHEMES:
        raise LeakstopError(f"{shown(text)}: unsupported URL scheme {scheme!r}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise LeakstopError(f"{shown(text)}: not a valid URL") from None
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise LeakstopError(f"{shown(text)}: a file URL names no host")
        local = Path(parts.path or "/")
        return Target(f"file:{Path(_norm(local))}", shown(text), text, remote=True)
    host = (parts.hostname or "").lower()
    path = _clean_path(parts.path)
    if not host or not path:
        raise LeakstopError(f"{shown(text)}: a git URL needs a host and a path")
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return Target(f"{host}/{path}", shown(text), text, remote=True)


def _norm(path: Path) -> str:
    import os.path

    return os.path.normpath(str(path))


def _clean_path(path: str) -> str:
    path = re.sub(r"/+", "/", path).strip("/")
    path = path.removesuffix(".git").rstrip("/")
    return path


def shown(text: str) -> str:
    """`text` without credentials: no password anywhere, no user part in http(s) URLs."""
    scheme = _SCHEME.match(text)
    if not scheme:
        return text
    head, rest = text[: scheme.end()], text[scheme.end() :]
    netloc, slash, tail = rest.partition("/")
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        user = "" if scheme.group(1).lower() in ("http", "https") else user.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    return head + netloc + slash + tail


def read_list(path: str, cwd: Path) -> list[Target]:
    """Targets from a list file (`-`: stdin): one per line; blank lines and `#` comments
    (whole lines, or after whitespace) are ignored; relative paths are relative to the
    list file's directory."""
    if path == "-":
        text, base, label = sys.stdin.read(), cwd, "stdin"
    else:
        file = cwd / path
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise LeakstopError(f"cannot read the list {path}: {exc.strerror}") from None
        text, base, label = data.decode("utf-8", "replace"), file.parent, path
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not entry:
            continue
        try:
            found.append(parse(entry, base))
        except LeakstopError as exc:
            raise LeakstopError(f"{label}:{number}: {exc}") from None
    return found


def collect(args: Sequence[str], lists: Sequence[str], cwd: Path) -> list[Target]:
    """Targets from the command line (an existing regular file is read as a list) and list
    files, duplicates (same identity) dropped, first spelling kept, sorted by name."""
    found: list[Target] = []
    for arg in args:
        if (cwd / arg).is_file():
            found.extend(read_list(arg, cwd))
        else:
            found.append(parse(arg, cwd))
    for path in lists:
        found.extend(read_list(path, cwd))
    return _unique(found)


def _unique(found: Iterable[Target]) -> list[Target]:
    seen: dict[str, Target] = {}
    for target in found:
        seen.setdefault(target.identity, target)
    return sorted(seen.values(), key=lambda t: (t.name, t.identity))


def parse_shard(spec: str) -> tuple[int, int]:
    """`I/N` with 1 <= I <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not match:
        raise LeakstopError(f"--shard takes I/N (e.g. 2/4), got {spec!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise LeakstopError(f"--shard {spec}: I must be between 1 and N")
    return index, count


def in_shard(target: Target, index: int, count: int) -> bool:
    """Stable across machines, runs and list order: the identity's SHA-256 modulo N, so
    adding a repository never moves another one to a different shard (or cache)."""
    return int(target.digest, 16) % count == index - 1
