"""Links to a commit on the forge that hosts a repository (GitHub, GitLab, Bitbucket).

Only these hosts, only https links, and only repository paths made of plain name characters,
so a remote URL can never turn into a link elsewhere or into markup."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_PART = re.compile(r"^[A-Za-z0-9._-]+$")
_SCP = re.compile(r"^(?:[^@/:\s]+@)?(?P<host>[^@/:\s]+):(?P<path>[^/].*)$")
# host -> (how many path parts a repository has: exact, or at least; commit page)
_FORGES = {
    "github.com": (2, False, "/commit/"),
    "gitlab.com": (2, True, "/-/commit/"),
    "bitbucket.org": (2, False, "/commits/"),
}


def commit_link(remote_url: str | None) -> str | None:
    """The prefix to which a commit's full SHA is appended, or None for other hosts."""
    if not remote_url:
        return None
    url = remote_url.strip()
    if "://" in url:
        try:
            parts = urlsplit(url)
            host, path = (parts.hostname or ""), parts.path
        except ValueError:
            return None
        if parts.scheme.lower() not in ("https", "http", "ssh", "git", "git+ssh", "ssh+git"):
            return None
    else:
        match = _SCP.match(url)
        if not match:
            return None
        host, path = match.group("host"), match.group("path")
    host = host.lower().removeprefix("www.")
    forge = _FORGES.get(host)
    if forge is None:
        return None
    count, or_more, page = forge
    names = [p for p in path.strip("/").removesuffix(".git").split("/") if p]
    if len(names) < count or (len(names) > count and not or_more):
        return None
    if not all(_PART.match(n) and n not in (".", "..") for n in names):
        return None
    return f"https://{host}/{'/'.join(names)}{page}"
